#include "analyzer/episodes.hpp"

#include <algorithm>

namespace bgpfa::analyzer {

void EpisodeTracker::start(std::uint64_t t, const std::string& why) {
  open_.emplace();
  open_->ep.trigger_us = open_->ep.start_us = open_->ep.end_us = t;
  open_->ep.trigger = why;
  open_->last_activity = t;
}

void EpisodeTracker::trigger(std::uint64_t t, const std::string& why) {
  advance(t);
  if (!open_) {
    start(t, why);
    return;
  }
  open_->ep.other_triggers.push_back(why);
  open_->last_activity = std::max(open_->last_activity, t);
}

void EpisodeTracker::change(std::uint64_t t, const rib::PrefixKey& p, const ActivePath& from, const ActivePath& to) {
  advance(t);
  if (!open_) start(t, "first update after a quiet period");
  Open& o = *open_;
  o.last_activity = t;
  o.ep.end_us = std::max(o.ep.end_us, t);
  ++o.ep.transitions[std::string(to_string(from.kind)) + "->" + to_string(to.kind)];
  if (auto it = pending_none_.find(p); it != pending_none_.end() && from.kind == PathKind::None) {
    done_[it->second.first].blackhole_prefix_seconds += static_cast<double>(t - it->second.second) / 1e6;
    pending_none_.erase(it);
  }
  PrefixTrack& pt = o.prefixes[p];
  pt.last_change = t;
  ++pt.changes;
  if (to.kind == PathKind::None && !pt.none) {
    pt.none = true;
    pt.ever_none = true;
    pt.none_since = t;
  } else if (to.kind != PathKind::None && pt.none) {
    pt.none = false;
    pt.none_total += t - pt.none_since;
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

void EpisodeTracker::close() {
  if (!open_) return;
  Open& o = *open_;
  Episode& ep = o.ep;
  std::vector<std::uint64_t> conv;
  conv.reserve(o.prefixes.size());
  for (auto& [p, pt] : o.prefixes) {
    conv.push_back(pt.last_change - ep.trigger_us);
    ep.path_exploration += pt.changes - 1;
    if (pt.none) {  // still without a path: the black hole goes on past this episode
      pending_none_[p] = {done_.size(), pt.none_since};
      ++ep.still_unreachable;
    }
    if (pt.ever_none) {
      ++ep.blackholed_prefixes;
      ep.blackhole_prefix_seconds += static_cast<double>(pt.none_total) / 1e6;
    }
  }
  ep.prefixes_changed = conv.size();
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
  if (ep.prefixes_changed > 0) done_.push_back(std::move(ep));
  open_.reset();
}

void EpisodeTracker::finish(std::uint64_t end_us) {
  close();
  for (const auto& [p, pending] : pending_none_)
    done_[pending.first].blackhole_prefix_seconds += static_cast<double>(end_us - pending.second) / 1e6;
  pending_none_.clear();
}

}  // namespace bgpfa::analyzer
