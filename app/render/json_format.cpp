#include "app/render/json_format.hpp"

#include <ctime>
#include <iterator>

#include <fmt/format.h>

#include "bgp/wire/nlri.hpp"
#include "bgp/wire/notification.hpp"

namespace bgpfa::app {

using wire::AttrType;

namespace {

void append_time(std::string& s, std::uint32_t sec, std::uint32_t usec) {
  const std::time_t t = sec;
  std::tm tm{};
  gmtime_r(&t, &tm);
  fmt::format_to(std::back_inserter(s), "\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z\"", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
}

void append_quoted(std::string& s, std::string_view v) {
  s.push_back('"');
  for (unsigned char c : v) {
    if (c == '"' || c == '\\') {
      s.push_back('\\');
      s.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      fmt::format_to(std::back_inserter(s), "\\u{:04x}", c);
    } else {
      s.push_back(static_cast<char>(c));
    }
  }
  s.push_back('"');
}

void append_hex(std::string& s, wire::Bytes b) {
  s.push_back('"');
  for (std::uint8_t x : b) fmt::format_to(std::back_inserter(s), "{:02x}", x);
  s.push_back('"');
}

void append_as_path(std::string& s, const wire::AsPathView& p) {
  static constexpr const char* names[] = {"", "set", "sequence", "confed_sequence", "confed_set"};
  s += '[';
  bool first = true;
  p.for_each_segment([&](wire::SegmentType t, const std::uint8_t* asns, unsigned n) {
    if (!first) s += ',';
    first = false;
    fmt::format_to(std::back_inserter(s), "{{\"{}\":[", names[static_cast<unsigned>(t)]);
    for (unsigned i = 0; i < n; ++i) fmt::format_to(std::back_inserter(s), "{}{}", i ? "," : "", p.asn_at(asns + i * p.asn_size));
    s += "]}";
  });
  s += ']';
}

}  // namespace

std::string JsonFormat::attributes_json(const wire::PathAttributes& a, bool four_octet_as) {
  std::string s = "{";
  auto key = [&](const char* k) {
    if (s.size() > 1) s += ',';
    fmt::format_to(std::back_inserter(s), "\"{}\":", k);
  };
  if (a.has(AttrType::Origin)) {
    key("origin");
    s += a.origin == 0 ? "\"IGP\"" : a.origin == 1 ? "\"EGP\"" : "\"INCOMPLETE\"";
  }
  if (a.has(AttrType::AsPath)) {
    key("as_path");
    if (!four_octet_as && a.has(AttrType::As4Path)) {
      const auto merged = wire::merge_as4_path(a.as_path, a.as4_path);  // RFC 6793 4.2.3
      append_as_path(s, wire::AsPathView{merged, 4});
    } else {
      append_as_path(s, a.as_path);
    }
  }
  if (a.has(AttrType::NextHop)) {
    key("next_hop");
    s += '"' + wire::to_string(wire::IpAddress::from_bytes(wire::Afi::Ipv4, a.next_hop.data())) + '"';
  }
  if (a.has(AttrType::MpReachNlri) && a.mp_reach.next_hop_length) {
    const auto& m = a.mp_reach;
    key("mp_next_hop");
    if (m.next_hop_length == 4) s += '"' + wire::to_string(wire::IpAddress::from_bytes(wire::Afi::Ipv4, m.next_hop.data())) + '"';
    else if (m.next_hop_length == 16 || m.next_hop_length == 32) s += '"' + wire::to_string(wire::IpAddress::from_bytes(wire::Afi::Ipv6, m.next_hop.data())) + '"';
    else append_hex(s, wire::Bytes(m.next_hop.data(), m.next_hop_length));
    if (m.next_hop_length == 32) {
      key("mp_next_hop_link_local");
      s += '"' + wire::to_string(wire::IpAddress::from_bytes(wire::Afi::Ipv6, m.next_hop.data() + 16)) + '"';
    }
  }
  if (a.has(AttrType::MultiExitDisc)) { key("med"); s += std::to_string(a.med); }
  if (a.has(AttrType::LocalPref)) { key("local_pref"); s += std::to_string(a.local_pref); }
  if (a.has(AttrType::AtomicAggregate)) { key("atomic_aggregate"); s += "true"; }
  if (a.has(AttrType::Aggregator)) {
    wire::Aggregator g = a.aggregator;
    if (!four_octet_as && g.asn == 23456 && a.has(AttrType::As4Aggregator)) g = a.as4_aggregator;
    key("aggregator");
    fmt::format_to(std::back_inserter(s), "{{\"asn\":{},\"address\":\"{}\"}}", g.asn,
                   wire::to_string(wire::IpAddress::from_bytes(wire::Afi::Ipv4, g.address.data())));
  }
  if (a.has(AttrType::Communities)) {
    key("communities");
    s += '[';
    for (std::size_t i = 0; i + 4 <= a.communities.size(); i += 4) {
      const std::uint32_t v = wire::load_u32(&a.communities[i]);
      fmt::format_to(std::back_inserter(s), "{}\"{}:{}\"", i ? "," : "", v >> 16, v & 0xffff);
    }
    s += ']';
  }
  if (a.has(AttrType::LargeCommunities)) {
    key("large_communities");
    s += '[';
    for (std::size_t i = 0; i + 12 <= a.large_communities.size(); i += 12)
      fmt::format_to(std::back_inserter(s), "{}\"{}:{}:{}\"", i ? "," : "", wire::load_u32(&a.large_communities[i]),
                     wire::load_u32(&a.large_communities[i + 4]), wire::load_u32(&a.large_communities[i + 8]));
    s += ']';
  }
  if (a.has(AttrType::ExtendedCommunities)) {
    key("extended_communities");
    s += '[';
    for (std::size_t i = 0; i + 8 <= a.extended_communities.size(); i += 8) {
      if (i) s += ',';
      append_hex(s, a.extended_communities.subspan(i, 8));
    }
    s += ']';
  }
  if (a.has(AttrType::OriginatorId)) {
    key("originator_id");
    s += '"' + wire::to_string(wire::IpAddress::from_bytes(wire::Afi::Ipv4, a.originator_id.data())) + '"';
  }
  if (a.has(AttrType::ClusterList)) {
    key("cluster_list");
    s += '[';
    for (std::size_t i = 0; i + 4 <= a.cluster_list.size(); i += 4)
      s += (i ? ",\"" : "\"") + wire::to_string(wire::IpAddress::from_bytes(wire::Afi::Ipv4, &a.cluster_list[i])) + '"';
    s += ']';
  }
  bool any_unknown = false;
  for (const auto& raw : a.all) {
    if (wire::descriptor(raw.type).name) continue;
    if (!any_unknown) {
      key("unknown");
      s += '[';
    } else {
      s += ',';
    }
    any_unknown = true;
    fmt::format_to(std::back_inserter(s), "{{\"type\":{},\"flags\":{},\"value\":", raw.type, raw.flags);
    append_hex(s, raw.value);
    s += '}';
  }
  if (any_unknown) s += ']';
  s += '}';
  return s;
}

void JsonFormat::begin(const mrt::Record& r, const char* kind) {
  line_.clear();
  fmt::format_to(std::back_inserter(line_), "{{\"type\":\"{}\",\"mrt\":\"{}\",\"record\":{},\"time\":", kind,
                 mrt::type_name(r.header.type, r.header.subtype), r.index);
  append_time(line_, r.header.seconds, r.header.microseconds);
  fmt::format_to(std::back_inserter(line_), ",\"timestamp_us\":{}",
                 std::uint64_t{r.header.seconds} * 1000000 + r.header.microseconds);
}

void JsonFormat::table_dump(const mrt::Record& r, const mrt::TableDumpRoute& t, const wire::PathAttributes& a) {
  begin(r, "rib");
  fmt::format_to(std::back_inserter(line_), ",\"peer_ip\":\"{}\",\"peer_as\":{},\"prefix\":\"{}\",\"originated\":",
                 wire::to_string(t.peer_ip), t.peer_as, wire::to_string(t.prefix));
  append_time(line_, t.originated, 0);
  line_ += ",\"attributes\":" + attributes_json(a, t.four_octet_as) + "}\n";
  out_.put(line_);
}

void JsonFormat::rib_entry(const mrt::Record& r, const mrt::Rib& rib, const mrt::RibEntry& e,
                           const mrt::PeerEntry& peer, const wire::PathAttributes& a) {
  begin(r, "rib");
  fmt::format_to(std::back_inserter(line_), ",\"peer_ip\":\"{}\",\"peer_as\":{},\"afi\":{},\"safi\":{},\"prefix\":",
                 wire::to_string(peer.ip), peer.asn, rib.afi, rib.safi);
  if (rib.generic_nlri.empty()) line_ += '"' + wire::to_string(rib.prefix) + '"';
  else append_hex(line_, rib.generic_nlri);
  if (rib.add_path) fmt::format_to(std::back_inserter(line_), ",\"path_id\":{}", e.path_id);
  line_ += ",\"originated\":";
  append_time(line_, e.originated, 0);
  line_ += ",\"attributes\":" + attributes_json(a, true) + "}\n";
  out_.put(line_);
}

void JsonFormat::bgp4mp_entry(const mrt::Record& r, const mrt::Bgp4mpEntry& e, const wire::PathAttributes& a) {
  begin(r, "rib");
  fmt::format_to(std::back_inserter(line_), ",\"peer_ip\":\"{}\",\"peer_as\":{},\"afi\":{},\"safi\":{},\"prefix\":",
                 wire::to_string(e.peer.peer_ip), e.peer.peer_as, e.afi, e.safi);
  if (e.interpreted()) line_ += '"' + wire::to_string(e.prefix) + '"';
  else append_hex(line_, e.generic_nlri);
  line_ += ",\"originated\":";
  append_time(line_, e.originated, 0);
  line_ += ",\"attributes\":" + attributes_json(a, false) + "}\n";
  out_.put(line_);
}

void JsonFormat::state_change(const mrt::Record& r, const mrt::StateChange& s, bool) {
  begin(r, "state");
  fmt::format_to(std::back_inserter(line_),
                 ",\"peer_ip\":\"{}\",\"peer_as\":{},\"local_as\":{},\"old_state\":\"{}\",\"new_state\":\"{}\"}}\n",
                 wire::to_string(s.peer.peer_ip), s.peer.peer_as, s.peer.local_as, mrt::bgp_state_name(s.old_state),
                 mrt::bgp_state_name(s.new_state));
  out_.put(line_);
}

void JsonFormat::update(const UpdateInfo& u) {
  const auto& a = u.update.attributes;
  attrs_ = attributes_json(a, u.four_octet_as);
  auto emit = [&](wire::Bytes field, wire::Afi afi, bool announce) {
    wire::NlriReader rd(field, afi, u.add_path);
    wire::NlriEntry n;
    while (rd.next(n)) {
      begin(u.record, announce ? "announce" : "withdraw");
      fmt::format_to(std::back_inserter(line_), ",\"peer_ip\":\"{}\",\"peer_as\":{},\"local\":{},\"prefix\":\"{}\"",
                     wire::to_string(u.peer.peer_ip), u.peer.peer_as, u.local ? "true" : "false",
                     wire::to_string(n.prefix));
      if (u.add_path) fmt::format_to(std::back_inserter(line_), ",\"path_id\":{}", n.path_id);
      if (announce) line_ += ",\"attributes\":" + attrs_;
      line_ += "}\n";
      out_.put(line_);
    }
  };
  auto known = [](std::uint16_t afi, std::uint8_t safi) { return (afi == 1 || afi == 2) && safi >= 1 && safi <= 3; };
  emit(u.update.withdrawn, wire::Afi::Ipv4, false);
  if (a.has(AttrType::MpUnreachNlri) && known(a.mp_unreach.afi, a.mp_unreach.safi))
    emit(a.mp_unreach.nlri, static_cast<wire::Afi>(a.mp_unreach.afi), false);
  emit(u.update.nlri, wire::Afi::Ipv4, !u.withdraw_all);
  if (a.has(AttrType::MpReachNlri) && known(a.mp_reach.afi, a.mp_reach.safi))
    emit(a.mp_reach.nlri, static_cast<wire::Afi>(a.mp_reach.afi), !u.withdraw_all);
  if (u.update.is_end_of_rib()) {
    begin(u.record, "end_of_rib");
    fmt::format_to(std::back_inserter(line_), ",\"peer_ip\":\"{}\",\"peer_as\":{}}}\n", wire::to_string(u.peer.peer_ip),
                   u.peer.peer_as);
    out_.put(line_);
  }
}

void JsonFormat::other_message(const mrt::Record& r, const mrt::Bgp4mpMessage& m, wire::MessageType type,
                               wire::Bytes body) {
  begin(r, type == wire::MessageType::Open           ? "open"
           : type == wire::MessageType::Notification ? "notification"
           : type == wire::MessageType::Keepalive    ? "keepalive"
                                                     : "route_refresh");
  fmt::format_to(std::back_inserter(line_), ",\"peer_ip\":\"{}\",\"peer_as\":{},\"local\":{}",
                 wire::to_string(m.peer.peer_ip), m.peer.peer_as, m.local ? "true" : "false");
  if (type == wire::MessageType::Notification) {
    if (auto n = wire::decode_notification(body)) {
      fmt::format_to(std::back_inserter(line_), ",\"code\":{},\"subcode\":{},\"description\":", n->code, n->subcode);
      append_quoted(line_, n->describe());
      line_ += ",\"data\":";
      append_hex(line_, n->data);
    }
  } else if (type == wire::MessageType::Open && body.size() >= 10) {
    fmt::format_to(std::back_inserter(line_), ",\"version\":{},\"my_as\":{},\"hold_time\":{},\"bgp_id\":\"{}\",\"optional_parameters\":",
                   body[0], wire::load_u16(&body[1]), wire::load_u16(&body[3]),
                   wire::to_string(wire::IpAddress::from_bytes(wire::Afi::Ipv4, &body[5])));
    append_hex(line_, body.subspan(10));
  }
  line_ += "}\n";
  out_.put(line_);
}

void JsonFormat::peer_index_table(const mrt::Record& r, const mrt::PeerIndexTable& t) {
  begin(r, "peer_index_table");
  fmt::format_to(std::back_inserter(line_), ",\"collector_id\":\"{}\",\"view\":",
                 wire::to_string(wire::IpAddress::v4(t.collector_id)));
  append_quoted(line_, t.view_name);
  line_ += ",\"peers\":[";
  for (std::size_t i = 0; i < t.peers.size(); ++i) {
    const auto& p = t.peers[i];
    fmt::format_to(std::back_inserter(line_), "{}{{\"index\":{},\"bgp_id\":\"{}\",\"ip\":\"{}\",\"asn\":{}}}", i ? "," : "",
                   i, wire::to_string(wire::IpAddress::v4(p.bgp_id)), wire::to_string(p.ip), p.asn);
  }
  line_ += "]}\n";
  out_.put(line_);
}

}  // namespace bgpfa::app
