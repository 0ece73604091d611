#include "app/cli/mrt_decoder.hpp"

#include "app/cli/progress.hpp"

#include <cstdio>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "bgp/wire/header.hpp"

namespace bgpfa::app {

using wire::AttrType;
using wire::DecodeError;
using wire::ErrorAction;

class MrtDecoder::Impl {
 public:
  Impl(DumpSink& sink, std::string file, bool quiet, bool silent)
      : sink_(sink), file_(std::move(file)), quiet_(quiet || silent), silent_(silent) {}

  void read_error(const mrt::ReadError& e) {
    ++errors_;
    if (!silent_)
      emit(fmt::format("bgpfa: error file={} record={} offset={}: {}\n", e.file, e.record_index, e.offset, e.what));
  }
  void finish() {
    if (mislabelled_ > 1 && !quiet_)
      emit(fmt::format("bgpfa: warning file={}: {} records in all had mislabelled ADD-PATH subtypes\n", file_,
                       mislabelled_));
  }

  [[nodiscard]] std::uint64_t errors() const noexcept { return errors_; }
  [[nodiscard]] std::uint64_t mislabelled() const noexcept { return mislabelled_; }
  void collect_messages(DecoderMessages* into) noexcept { messages_ = into; }
  void start_batch(std::shared_ptr<const mrt::PeerIndexTable> peers) {
    peers_ = std::move(peers);
    errors_ = mislabelled_ = 0;
  }
  void add_counts(std::uint64_t errors, std::uint64_t mislabelled) noexcept {
    errors_ += errors;
    mislabelled_ += mislabelled;
  }

  // One line for stderr, or for the batch's held-back messages.
  void emit(const std::string& line) {
    if (messages_) {
      messages_->text += line;
      return;
    }
    Progress::interrupt();
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  // The once-per-file warning about mislabelled ADD-PATH subtypes (mislabelled_ was 0).
  void mislabel_warning(const mrt::Record& r, std::uint64_t offset, const std::string& what) {
    const std::size_t at = messages_ ? messages_->text.size() : 0;
    warning(r, offset, what);
    if (messages_) {
      messages_->first_mislabel_at = at;
      messages_->first_mislabel_size = messages_->text.size() - at;
    }
  }

  // Decoding of each record kind; everything below reports its own errors.
  void error(const mrt::Record& r, std::uint64_t offset, const std::string& what) {
    ++errors_;
    if (silent_) return;
    emit(fmt::format("bgpfa: error file={} record={} offset={} type={}: {}\n", file_, r.index, offset,
                     mrt::type_name(r.header.type, r.header.subtype), what));
  }
  void warning(const mrt::Record& r, std::uint64_t offset, const std::string& what) {
    if (quiet_) return;
    emit(fmt::format("bgpfa: warning file={} record={} offset={} type={}: {}\n", file_, r.index, offset,
                     mrt::type_name(r.header.type, r.header.subtype), what));
  }
  void error(const mrt::Record& r, const DecodeError& e) { error(r, e.offset, describe_error(e)); }
  void error(const mrt::Record& r, const DecodeError& e, const wire::IpAddress& peer) {
    error(r, e.offset, fmt::format("peer {}: {}", wire::to_string(peer), describe_error(e)));
  }
  static std::string describe_error(const DecodeError& e) {
    return e.code == 0 ? e.what : wire::describe(e);
  }

  // Non-fatal attribute problems: errors when routes are lost, warnings when only an attribute is.
  void attribute_problems(const mrt::Record& r, const wire::PathAttributes& a, const wire::IpAddress& peer) {
    for (const auto& e : a.errors) {
      const std::string msg = fmt::format("peer {}: {}", wire::to_string(peer), wire::describe(e));
      if (e.action >= ErrorAction::TreatAsWithdraw) error(r, e.offset, msg);
      else warning(r, e.offset, msg);
    }
  }

  void record(const mrt::Record& r) {
    switch (static_cast<mrt::Type>(r.header.type)) {
      case mrt::Type::TableDump: table_dump(r); break;
      case mrt::Type::TableDumpV2: table_dump_v2(r); break;
      case mrt::Type::Bgp4mp:
      case mrt::Type::Bgp4mpEt: bgp4mp(r); break;
      case mrt::Type::Bgp: mrtd_bgp(r); break;
      default:
        warning(r, r.offset, fmt::format("unsupported MRT type {} subtype {} ({} bytes) skipped", r.header.type,
                                         r.header.subtype, r.header.length));
    }
  }

  void table_dump(const mrt::Record& r) {
    if (r.header.subtype < 1 || r.header.subtype > 4) {
      error(r, r.offset, fmt::format("unknown TABLE_DUMP subtype {}", r.header.subtype));
      return;
    }
    if (auto e = mrt::decode_table_dump(r, td_)) return error(r, *e);
    const mrt::TableDumpRoute* t = &td_;
    if (sink_.table_dump_cached(r, *t)) {
      ++sink_.packet_index;
      return;
    }
    wire::DecodeContext ctx;
    ctx.four_octet_as = t->four_octet_as;
    ctx.mrt_rib_entry = true;
    ctx.base_offset = r.body_offset() + t->attributes_offset;
    const wire::IpAddress& peer = t->peer_ip;
    if (auto fatal = wire::decode_path_attributes(t->attributes, ctx, false, attrs_)) return error(r, *fatal, peer);
    attribute_problems(r, attrs_, peer);
    if (attrs_.action < ErrorAction::TreatAsWithdraw) sink_.table_dump(r, *t, attrs_);
    ++sink_.packet_index;
  }

  void table_dump_v2(const mrt::Record& r) {
    const std::uint16_t st = r.header.subtype;
    if (st == mrt::td2::kPeerIndexTable) {
      auto t = mrt::decode_peer_index_table(r);
      if (!t) return error(r, t.error());
      peers_ = std::make_shared<const mrt::PeerIndexTable>(std::move(t.value()));
      sink_.peer_index_table(r, *peers_);
      return;
    }
    if (!mrt::is_rib_subtype(st)) {
      error(r, r.offset, fmt::format("unknown TABLE_DUMP_V2 subtype {}", st));
      return;
    }
    if (auto e = mrt::decode_rib(r, rib_)) return error(r, *e);
    if (rib_.mislabelled && mislabelled_++ == 0) {
      mislabel_warning(r, r.offset, fmt::format("subtype says {} path identifiers but the entries decode only {} them; "
                                       "decoded {} (mislabelled ADD-PATH dump)",
                                       rib_.add_path ? "no" : "ADD-PATH", rib_.add_path ? "with" : "without",
                                       rib_.add_path ? "with path identifiers" : "without"));
    }
    if (!rib_.entries.empty() && !peers_) {
      error(r, r.offset, "RIB record before any PEER_INDEX_TABLE");
      return;
    }
    for (const auto& e : rib_.entries) {
      if (e.peer_index >= peers_->peers.size()) {
        error(r, r.body_offset() + e.attributes_offset - (rib_.add_path ? 12 : 8),
              fmt::format("peer index {} outside the PEER_INDEX_TABLE of {} peers", e.peer_index, peers_->peers.size()));
        continue;
      }
      const auto& peer = peers_->peers[e.peer_index];
      if (sink_.rib_entry_cached(r, rib_, e, peer)) continue;
      wire::DecodeContext ctx;
      ctx.four_octet_as = true;  // RFC 6396 4.3.4: RIB entries always use 4-octet ASNs
      ctx.mrt_rib_entry = true;
      ctx.set_add_path_all(rib_.add_path);
      ctx.base_offset = r.body_offset() + e.attributes_offset;
      const wire::IpAddress& peer_text = peer.ip;
      if (auto fatal = wire::decode_path_attributes(e.attributes, ctx, false, attrs_)) {
        error(r, *fatal, peer_text);
        continue;
      }
      attribute_problems(r, attrs_, peer_text);
      if (attrs_.action < ErrorAction::TreatAsWithdraw) sink_.rib_entry(r, rib_, e, peer, attrs_);
    }
    // bgpdump parses (and counts) only the unicast RIB subtypes.
    if (st == 2 || st == 4 || st == 8 || st == 10) ++sink_.packet_index;
  }

  void bgp4mp(const mrt::Record& r) {
    const std::uint16_t st = r.header.subtype;
    if (mrt::is_state_change_subtype(st)) return state_change(r);
    if (st == mrt::bgp4mp::kEntry) return entry(r);
    if (!mrt::is_message_subtype(st)) {
      warning(r, r.offset, fmt::format("{} records are not supported; skipped", mrt::type_name(r.header.type, st)));
      return;
    }
    auto m = mrt::decode_bgp4mp_message(r);
    if (!m) return error(r, m.error());
    message(r, m.value(), false);
  }

  // BGP4MP_ENTRY: decoded as a RIB entry whose next hop, kept outside the attributes, is given
  // to them as the NEXT_HOP (IPv4) or RFC 6396 next-hop-only MP_REACH_NLRI it stands for, so
  // that every renderer and the analyzer see the route's next hop where they look for it.
  void entry(const mrt::Record& r) {
    auto d = mrt::decode_bgp4mp_entry(r);
    if (!d) return error(r, d.error());
    const mrt::Bgp4mpEntry& e = d.value();
    wire::DecodeContext ctx;
    ctx.four_octet_as = false;
    ctx.mrt_rib_entry = true;
    ctx.aggregator_either_width = true;
    ctx.base_offset = r.body_offset() + e.attributes_offset;
    const wire::IpAddress& peer = e.peer.peer_ip;
    if (auto fatal = wire::decode_path_attributes(e.attributes, ctx, false, attrs_)) return error(r, *fatal, peer);
    const std::size_t nh = e.next_hop.size();
    if (e.interpreted() && !attrs_.has(AttrType::NextHop) && !attrs_.has(AttrType::MpReachNlri) &&
        (nh == 4 || nh == 16 || nh == 32)) {
      entry_attrs_.assign(e.attributes.begin(), e.attributes.end());
      if (nh == 4 && e.afi == 1) {
        entry_attrs_.insert(entry_attrs_.end(), {0x40, 0x03, 0x04});
      } else {
        entry_attrs_.insert(entry_attrs_.end(), {0x80, 0x0e, static_cast<std::uint8_t>(nh + 1), static_cast<std::uint8_t>(nh)});
      }
      entry_attrs_.insert(entry_attrs_.end(), e.next_hop.begin(), e.next_hop.end());
      if (auto fatal = wire::decode_path_attributes(entry_attrs_, ctx, false, attrs_)) return error(r, *fatal, peer);
    }
    attribute_problems(r, attrs_, peer);
    if (attrs_.action < ErrorAction::TreatAsWithdraw) sink_.bgp4mp_entry(r, e, attrs_);
    ++sink_.packet_index;
  }

  void state_change(const mrt::Record& r) {
    const bool as4 = r.header.subtype == mrt::bgp4mp::kStateChangeAs4;
    mrt::StateChange s;
    if (!as4 && r.body.size() == 8) {  // old Zebra bug: AS numbers and states only
      s.peer.peer_as = wire::load_u16(&r.body[0]);
      s.peer.local_as = wire::load_u16(&r.body[2]);
      s.old_state = wire::load_u16(&r.body[4]);
      s.new_state = wire::load_u16(&r.body[6]);
    } else {
      auto d = mrt::decode_state_change(r);
      if (!d) return error(r, d.error());
      s = d.value();
      const std::size_t want = (as4 ? 8 : 4) + 4 + 2 * (s.peer.afi == 2 ? 16 : 4) + 4;
      if (r.body.size() != want) {
        error(r, r.body_offset(), fmt::format("STATE_CHANGE body of {} bytes, expected {}", r.body.size(), want));
        return;
      }
    }
    sink_.state_change(r, s, false);
    ++sink_.packet_index;
  }

  // A BGP message inside BGP4MP (with header) or the MRTD BGP type (UPDATE body only).
  void message(const mrt::Record& r, const mrt::Bgp4mpMessage& m, bool mrtd) {
    const wire::IpAddress& peer = m.peer.peer_ip;
    wire::Bytes body;
    std::size_t body_at = r.body_offset() + m.message_offset;
    if (!mrtd) {
      auto h = wire::decode_header(m.message, true, body_at);
      if (!h) return error(r, h.error(), peer);
      if (h->length > m.message.size()) {
        error(r, body_at + 16, fmt::format("peer {}: BGP {} message of {} bytes cut to {} in the record", wire::to_string(peer),
                                           wire::to_string(h->type), h->length, m.message.size()));
        return;
      }
      body = m.message.subspan(wire::kHeaderSize, h->length - wire::kHeaderSize);
      body_at += wire::kHeaderSize;
      if (h->type != wire::MessageType::Update) {
        sink_.other_message(r, m, h->type, body);
        if (h->type != wire::MessageType::RouteRefresh) ++sink_.packet_index;
        return;
      }
    } else {
      body = m.message;
    }
    wire::DecodeContext ctx;
    ctx.four_octet_as = m.four_octet_as;
    ctx.set_add_path_all(m.add_path);
    ctx.base_offset = body_at;
    bool add_path = m.add_path;
    auto fatal = wire::decode_update(body, ctx, update_);
    if (fatal) {
      // A dump whose subtype mislabels ADD-PATH decodes into nonsense (e.g. a /208 prefix);
      // if the other reading is clean, that is what the peer sent.
      wire::DecodeContext alt = ctx;
      alt.set_add_path_all(!m.add_path);
      if (!mrtd && !wire::decode_update(body, alt, update_)) {
        add_path = !m.add_path;
        if (mislabelled_++ == 0)
          mislabel_warning(r, fatal->offset, fmt::format("peer {}: subtype says {} path identifiers but the UPDATE decodes only "
                                                "{} them ({}); decoded {} (mislabelled ADD-PATH dump)",
                                                wire::to_string(peer), m.add_path ? "ADD-PATH" : "no", m.add_path ? "without" : "with",
                                                describe_error(*fatal), m.add_path ? "without" : "with them"));
        fatal.reset();
      } else {
        // Keep the well-formed prefixes before a truncated last one, as bgpdump does.
        ctx.salvage_truncated_nlri = true;
        fatal = wire::decode_update(body, ctx, update_);
      }
    }
    if (fatal) return error(r, *fatal, peer);
    attribute_problems(r, update_.attributes, peer);
    bool withdraw_all = false;
    for (const auto& e : update_.attributes.errors) withdraw_all |= e.action == ErrorAction::TreatAsWithdraw;
    const UpdateInfo info{r, m.peer, m.local, add_path, m.four_octet_as, update_, withdraw_all, mrtd};
    sink_.update(info);
    ++sink_.packet_index;
  }

  void mrtd_bgp(const mrt::Record& r) {
    const std::uint16_t st = r.header.subtype;
    const wire::Bytes b = r.body;
    if (st == 3) {  // STATE_CHANGE: peer AS, peer IP, old and new state
      if (b.size() < 10) return error(r, r.body_offset(), "BGP STATE_CHANGE record too short");
      mrt::StateChange s;
      s.peer.peer_as = wire::load_u16(&b[0]);
      s.peer.peer_ip = wire::IpAddress::from_bytes(wire::Afi::Ipv4, &b[2]);
      s.old_state = wire::load_u16(&b[6]);
      s.new_state = wire::load_u16(&b[8]);
      sink_.state_change(r, s, true);
    } else if (st == 1) {  // UPDATE: source AS/IP, destination AS/IP, then the UPDATE body
      if (b.size() < 12) return error(r, r.body_offset(), "BGP UPDATE record too short");
      mrt::Bgp4mpMessage m;
      m.peer.peer_as = wire::load_u16(&b[0]);
      m.peer.peer_ip = wire::IpAddress::from_bytes(wire::Afi::Ipv4, &b[2]);
      m.peer.local_as = wire::load_u16(&b[6]);
      m.peer.local_ip = wire::IpAddress::from_bytes(wire::Afi::Ipv4, &b[8]);
      m.message = b.subspan(12);
      m.message_offset = 12;
      message(r, m, true);
      return;
    }
    ++sink_.packet_index;
  }

  DumpSink& sink_;
  std::string file_;
  bool quiet_;
  bool silent_;
  DecoderMessages* messages_ = nullptr;
  std::shared_ptr<const mrt::PeerIndexTable> peers_;
  mrt::Rib rib_;
  mrt::TableDumpRoute td_;
  wire::PathAttributes attrs_;
  std::vector<std::uint8_t> entry_attrs_;  // a BGP4MP_ENTRY's attributes with its next hop added
  wire::Update update_;
  std::uint64_t errors_ = 0;
  std::uint64_t mislabelled_ = 0;
};


MrtDecoder::MrtDecoder(DumpSink& sink, std::string file, bool quiet, bool silent)
    : impl_(std::make_unique<Impl>(sink, std::move(file), quiet, silent)) {}
MrtDecoder::~MrtDecoder() = default;
MrtDecoder::MrtDecoder(MrtDecoder&&) noexcept = default;
void MrtDecoder::record(const mrt::Record& r) { impl_->record(r); }
void MrtDecoder::read_error(const mrt::ReadError& e) { impl_->read_error(e); }
void MrtDecoder::finish() { impl_->finish(); }
std::uint64_t MrtDecoder::errors() const noexcept { return impl_->errors(); }
void MrtDecoder::collect_messages(DecoderMessages* into) noexcept { impl_->collect_messages(into); }
void MrtDecoder::start_batch(std::shared_ptr<const mrt::PeerIndexTable> peers) { impl_->start_batch(std::move(peers)); }
std::uint64_t MrtDecoder::mislabelled() const noexcept { return impl_->mislabelled(); }
void MrtDecoder::add_counts(std::uint64_t errors, std::uint64_t mislabelled) noexcept {
  impl_->add_counts(errors, mislabelled);
}

}  // namespace bgpfa::app
