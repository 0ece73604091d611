#include "analyzer/episodes.hpp"

#include "analyzer/what_if.hpp"

#include <algorithm>

#include "analyzer/active_path.hpp"

namespace bgpfa::analyzer {

void EpisodeTracker::start(std::uint64_t t, const std::string& why, const FailureWindow* window) {
  open_.emplace();
  if (window) open_->ep.failure = *window;
  open_->ep.trigger_us = open_->ep.start_us = open_->ep.end_us = t;
  open_->ep.trigger = why;
  open_->last_activity = t;
  open_->first_change = log_.size();
}

void EpisodeTracker::trigger(std::uint64_t t, const std::string& why, const FailureWindow* window) {
  advance(t);
  if (!open_) {
    start(t, why, window);
    return;
  }
  if (open_->implicit && open_->ep.trigger_us == t) {
    // The changes that opened it at this very moment were this trigger's doing (a session
    // dropped at a prefix limit by the UPDATE that went over it): it names the episode.
    open_->ep.trigger = why;
    open_->ep.failure = window ? *window : FailureWindow{};
    open_->implicit = false;
    return;
  }
  open_->ep.other_triggers.push_back(why);
  open_->ep.other_trigger_us.push_back(t);
  open_->last_activity = std::max(open_->last_activity, t);
}

void EpisodeTracker::changed(std::uint64_t t) {
  // Quiet long enough: the open episode ends before the change just logged.
  if (open_ && t >= open_->last_activity + quiet_us_) close_before(log_.size() - 1);
  if (!open_) {
    FailureWindow upstream;
    upstream.kind = FailureKind::Upstream;
    upstream.note = "not observable from here: the trigger is the first update after a quiet period (a failure upstream "
                    "of the peers, which the cloud side cannot see)";
    start(t, "first update after a quiet period", &upstream);
    open_->first_change = log_.size() - 1;
    open_->implicit = true;
  }
  open_->last_activity = t;
  open_->ep.end_us = std::max(open_->ep.end_us, t);
  if (marks && !open_->marked) {  // an episode exists from its first change: marked just before it
    open_->marked = true;
    Mark m;
    m.kind = Mark::Kind::EpisodeStart;
    m.time_us = m.start_us = open_->ep.start_us;
    m.after = log_.size() - 1;
    m.episode = dropped_ + done_.size() + 1;
    m.text = open_->ep.trigger;
    marks->add(std::move(m));
  }
}

void EpisodeTracker::initial_change(const Change& c) {
  if (unpack(c.from()).kind != PathKind::None) return;
  if (auto it = pending_none_.find(c.prefix); it != pending_none_.end()) {
    if (Episode* earlier = by_index(it->second.first))
      earlier->blackhole_prefix_seconds += static_cast<double>(c.time_us - it->second.second) / 1e6;
    pending_none_.erase(it);
  }
}

void EpisodeTracker::update_from(std::uint64_t t, const std::string& gateway) {
  advance(t);
  if (!open_) return;
  GatewayLag& g = open_->ep.gateway_lag[gateway];
  const std::uint64_t lag = t - open_->ep.trigger_us;
  if (g.updates == 0) g.first_update_us = lag;
  g.last_update_us = lag;
  ++g.updates;
}

void EpisodeTracker::advance(std::uint64_t t) {
  if (open_ && t >= open_->last_activity + quiet_us_) close();
}

void EpisodeTracker::close() { close_before(log_.size()); }

void EpisodeTracker::set_capacity(std::size_t n) {
  capacity_ = n ? n : 1;
  while (done_.size() > capacity_) {
    done_.pop_front();
    ++dropped_;
    ++unreported_;
  }
}

void EpisodeTracker::keep(Episode ep) {
  done_.push_back(std::move(ep));
  set_capacity(capacity_);
}

void EpisodeTracker::close_before(std::size_t end) {
  if (!open_) return;
  Open& o = *open_;
  Episode& ep = o.ep;
  // The episode's changes, grouped by prefix in time order (an episode longer than the whole
  // bounded log is summarised from the changes still kept).
  // Sorted by (prefix, log index) with the key beside the index: the comparisons read no log
  // entry (a stable sort of indices through the log was a third of a full-table episode's close).
  std::vector<std::pair<rib::PrefixKey, std::size_t>> keyed;
  const std::size_t from = std::max(o.first_change, log_.first());
  keyed.reserve(end > from ? end - from : 0);
  for (std::size_t i = from; i < end; ++i) keyed.emplace_back(log_[i].prefix, i);
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    const rib::PrefixKey &x = a.first, &y = b.first;
    if (x.hi != y.hi) return x.hi < y.hi;
    if (x.lo != y.lo) return x.lo < y.lo;
    if (x.length != y.length) return x.length < y.length;
    if (x.v6 != y.v6) return x.v6 < y.v6;
    return a.second < b.second;
  });
  std::vector<std::size_t> idx;
  idx.reserve(keyed.size());
  for (const auto& k : keyed) idx.push_back(k.second);
  keyed = {};
  constexpr int kKinds = static_cast<int>(PathKind::System) + 1;
  std::size_t transitions[kKinds][kKinds] = {};
  std::vector<std::uint64_t> conv;
  std::vector<rib::PrefixKey> changed;  // prefixes with changes of the episode's own
  for (std::size_t i = 0; i < idx.size();) {
    const rib::PrefixKey& p = log_[idx[i]].prefix;
    std::size_t j = i;
    bool none = false, ever_none = false;
    std::uint64_t none_since = 0, none_total = 0;
    std::size_t own = 0;                 // changes that are not initial-table ones
    std::uint64_t last_own = 0;
    for (; j < idx.size() && log_[idx[j]].prefix == p; ++j) {
      const Change& c = log_[idx[j]];
      const ActivePath from = unpack(c.from()), to = unpack(c.to());
      // An initial-table change inside the episode only ends (or starts) a black hole.
      if (c.initial) {
        if (to.kind != PathKind::None && none) {
          none = false;
          none_total += c.time_us - none_since;
        }
        continue;
      }
      ++own;
      last_own = c.time_us;
      ++transitions[static_cast<int>(from.kind)][static_cast<int>(to.kind)];
      if (from.kind == PathKind::None) {
        if (auto it = pending_none_.find(p); it != pending_none_.end()) {  // a hole from an earlier episode ends
          if (Episode* earlier = by_index(it->second.first))
            earlier->blackhole_prefix_seconds += static_cast<double>(c.time_us - it->second.second) / 1e6;
          pending_none_.erase(it);
        }
      }
      if (to.kind == PathKind::None && !none) {
        none = ever_none = true;
        none_since = c.time_us;
      } else if (to.kind != PathKind::None && none) {
        none = false;
        none_total += c.time_us - none_since;
      }
    }
    if (!own) {
      i = j;
      continue;
    }
    changed.push_back(p);
    conv.push_back(last_own - ep.trigger_us);
    ep.path_exploration += own - 1;
    if (none) {  // still without a path: the black hole goes on past this episode
      pending_none_[p] = {dropped_ + done_.size(), none_since};
      ++ep.still_unreachable;
    }
    if (ever_none) {
      ++ep.blackholed_prefixes;
      ep.blackhole_prefix_seconds += static_cast<double>(none_total) / 1e6;
    }
    i = j;
  }
  for (int f = 0; f < kKinds; ++f)
    for (int t = 0; t < kKinds; ++t)
      if (transitions[f][t])
        ep.transitions[std::string(to_string(static_cast<PathKind>(f))) + "->" + to_string(static_cast<PathKind>(t))] =
            transitions[f][t];
  ep.prefixes_changed = conv.size();
  if (const FailureWindow& w = ep.failure; w.known) {
    ep.detection_min_us = ep.trigger_us - std::min(w.before_us, ep.trigger_us);
    ep.detection_max_us = ep.trigger_us - std::min(w.after_us, ep.trigger_us);
    if (!conv.empty()) {
      ep.failover_min_us = ep.end_us - std::min(w.before_us, ep.end_us);
      ep.failover_max_us = ep.end_us - std::min(w.after_us, ep.end_us);
    }
  }
  if (!conv.empty()) {
    std::sort(conv.begin(), conv.end());
    auto rank = [&](double q) {  // nearest-rank percentile
      const auto n = conv.size();
      auto i = static_cast<std::size_t>(q * static_cast<double>(n) + 0.999999);
      return conv[std::min(n, std::max<std::size_t>(i, 1)) - 1];
    };
    ep.p50_us = rank(0.50);
    ep.p90_us = rank(0.90);
    ep.p99_us = rank(0.99);
    ep.max_us = conv.back();
  }
  if (!o.predictions.empty() && judge) {
    WhatIf w = o.predictions.front()();
    for (std::size_t i = 1; i < o.predictions.size(); ++i) w = then_fails(std::move(w), o.predictions[i]());
    judge(ep, w, changed);
  }
  if (project && !conv.empty()) project(ep);
  if (ep.prefixes_changed > 0) {
    ++stats_.episodes;
    stats_.blackholed_prefixes += ep.blackholed_prefixes;
    for (const auto us : conv) stats_.observe(us);
    if (marks) {
      Mark m;
      m.kind = Mark::Kind::EpisodeEnd;
      m.time_us = ep.end_us;
      m.start_us = ep.start_us;
      m.after = end;
      m.episode = dropped_ + done_.size() + 1;
      m.prefixes = ep.prefixes_changed;
      m.text = ep.trigger;
      marks->add(std::move(m));
    }
    keep(std::move(ep));
  }
  open_.reset();
}

void EpisodeTracker::finish(std::uint64_t end_us) {
  close();
  for (const auto& [p, pending] : pending_none_)
    if (Episode* ep = by_index(pending.first)) ep->blackhole_prefix_seconds += static_cast<double>(end_us - pending.second) / 1e6;
  pending_none_.clear();
}

}  // namespace bgpfa::analyzer
