#include "app/cli/parallel_dump.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace bgpfa::app {

namespace {

struct Batch {
  explicit Batch(ChunkPool& pool) : text(pool) {}
  std::uint64_t seq = 0;
  std::vector<std::uint8_t> bytes;         // the records' bodies, one after the other
  std::vector<mrt::Record> records;        // bodies in `bytes` once the batch is complete
  std::vector<std::size_t> body_at;        // each record's body offset in `bytes`
  std::vector<std::pair<std::size_t, mrt::ReadError>> read_errors;  // before records[first]
  std::shared_ptr<const mrt::PeerIndexTable> peers;  // in force at the first record
  OutBuffer text;
  DecoderMessages messages;
  std::uint64_t errors = 0, mislabelled = 0;
  bool stop = false;  // decoding threw: as in one thread, nothing after it is decoded

  void reset() {
    bytes.clear();
    records.clear();
    body_at.clear();
    read_errors.clear();
    peers.reset();
    text.clear();
    messages.clear();
    errors = mislabelled = 0;
    stop = false;
  }
  void add(const mrt::Record& r) {
    records.push_back(r);
    body_at.push_back(bytes.size());
    bytes.insert(bytes.end(), r.body.begin(), r.body.end());
  }
  void seal() {  // `bytes` no longer moves: point the bodies into it
    for (std::size_t i = 0; i < records.size(); ++i)
      records[i].body = mrt::Bytes(bytes.data() + body_at[i], records[i].body.size());
  }
};

class Pipeline {
 public:
  Pipeline(mrt::Reader& reader, MrtDecoder& file_decoder, OutBuffer& out, const ParallelDumpOptions& opt)
      : reader_(reader), file_decoder_(file_decoder), out_(out), opt_(opt),
        max_batches_(std::max(1u, opt.workers) + 2) {}
  ~Pipeline() { close(); }
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  void run() {
    for (unsigned i = 0; i < std::max(1u, opt_.workers); ++i) threads_.emplace_back([this] { work(); });
    frame();
    close();
  }

 private:
  // The calling thread: frames records into batches and hands them out in order.
  void frame() {
    std::shared_ptr<const mrt::PeerIndexTable> peers;
    Batch* cur = take_free();
    reader_.on_error = [&](const mrt::ReadError& e) { cur->read_errors.emplace_back(cur->records.size(), e); };
    mrt::Record r;
    try {
      while (!stopped() && reader_.next(r)) {
        cur->add(r);
        if (r.header.type == static_cast<std::uint16_t>(mrt::Type::TableDumpV2) &&
            r.header.subtype == mrt::td2::kPeerIndexTable) {
          // For the batches after this one (its own batch's worker decodes it again, reporting
          // any problem); a table that does not decode leaves the one before in force.
          if (auto t = mrt::decode_peer_index_table(r)) peers = std::make_shared<const mrt::PeerIndexTable>(std::move(t.value()));
        }
        if (cur->bytes.size() >= opt_.batch_bytes) {
          dispatch(cur);
          cur = take_free();
          cur->peers = peers;
        }
      }
    } catch (const std::exception& e) {  // decompression failure mid-file
      cur->read_errors.emplace_back(cur->records.size(), mrt::ReadError{reader_.name(), r.index + 1, 0, e.what()});
    }
    reader_.on_error = nullptr;
    dispatch(cur);
  }

  Batch* take_free() {
    std::unique_lock lk(mu_);
    free_cv_.wait(lk, [&] { return !free_.empty() || pool_.size() < max_batches_; });
    Batch* b;
    if (!free_.empty()) {
      b = free_.back();
      free_.pop_back();
    } else {
      pool_.push_back(std::make_unique<Batch>(chunks_));
      b = pool_.back().get();
    }
    b->reset();
    return b;
  }

  void dispatch(Batch* b) {
    b->seal();
    {
      std::lock_guard lk(mu_);
      b->seq = next_seq_++;
      work_.push_back(b);
    }
    work_cv_.notify_one();
  }

  void close() {
    {
      std::lock_guard lk(mu_);
      closed_ = true;
    }
    work_cv_.notify_all();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  [[nodiscard]] bool stopped() const noexcept { return stop_.load(std::memory_order_relaxed); }  // per record

  // A worker thread: its own decoder and renderer over its own text buffer, swapped into each
  // batch it finishes (the batch's old storage comes back for the next one: no copy).
  void work() {
    OutBuffer text(chunks_);
    BgpdumpFormat format(text, opt_.format);
    MrtDecoder decoder(format, reader_.name(), opt_.quiet);
    for (;;) {
      Batch* b;
      {
        std::unique_lock lk(mu_);
        work_cv_.wait(lk, [&] { return !work_.empty() || closed_; });
        if (work_.empty()) return;
        b = work_.front();
        work_.pop_front();
      }
      decode(*b, decoder);
      text.swap_contents(b->text);
      text.clear();
      commit(b);
    }
  }

  void decode(Batch& b, MrtDecoder& decoder) {
    decoder.collect_messages(&b.messages);
    decoder.start_batch(b.peers);
    std::size_t next_error = 0;
    auto errors_before = [&](std::size_t i) {
      while (next_error < b.read_errors.size() && b.read_errors[next_error].first <= i)
        decoder.read_error(b.read_errors[next_error++].second);
    };
    for (std::size_t i = 0; i < b.records.size(); ++i) {
      errors_before(i);
      const mrt::Record& r = b.records[i];
      try {
        decoder.record(r);
      } catch (const std::exception& e) {  // as dump_file's loop: reported, and the file ends here
        decoder.read_error(mrt::ReadError{reader_.name(), r.index + 1, 0, e.what()});
        b.stop = true;
        break;
      }
    }
    if (!b.stop) errors_before(b.records.size());
    b.errors = decoder.errors();
    b.mislabelled = decoder.mislabelled();
    decoder.collect_messages(nullptr);
  }

  // Files a finished batch; whoever finds the next batch in order finished writes it, and any
  // after it that are, while the other workers go on decoding.
  void commit(Batch* b) {
    std::unique_lock lk(mu_);
    finished_.emplace(b->seq, b);
    if (committing_) return;
    committing_ = true;
    while (!finished_.empty() && finished_.begin()->first == next_commit_) {
      Batch* c = finished_.begin()->second;
      finished_.erase(finished_.begin());
      const bool skip = stopped();
      lk.unlock();
      if (!skip) write(*c);
      lk.lock();
      if (c->stop) stop_.store(true, std::memory_order_relaxed);
      ++next_commit_;
      free_.push_back(c);
      free_cv_.notify_one();
    }
    committing_ = false;
  }

  // Only the committing thread runs this.
  void write(Batch& c) {
    std::string& m = c.messages.text;
    if (c.messages.first_mislabel_size && file_decoder_.mislabelled() > 0)
      m.erase(c.messages.first_mislabel_at, c.messages.first_mislabel_size);
    if (!m.empty()) std::fwrite(m.data(), 1, m.size(), stderr);
    c.text.for_each_piece([&](std::string_view piece) { out_.write_through(piece); });
    file_decoder_.add_counts(c.errors, c.mislabelled);
  }

  mrt::Reader& reader_;
  MrtDecoder& file_decoder_;
  OutBuffer& out_;
  const ParallelDumpOptions& opt_;
  const std::size_t max_batches_;
  ChunkPool chunks_;  // before the batches and threads: their texts give chunks back to it
  std::vector<std::thread> threads_;

  std::mutex mu_;
  std::condition_variable work_cv_, free_cv_;
  std::vector<std::unique_ptr<Batch>> pool_;
  std::vector<Batch*> free_;
  std::deque<Batch*> work_;
  std::map<std::uint64_t, Batch*> finished_;
  std::uint64_t next_seq_ = 0, next_commit_ = 0;
  bool closed_ = false, committing_ = false;
  std::atomic<bool> stop_{false};  // a batch's decoding threw: nothing after it is written
};

}  // namespace

unsigned procs_running(std::string_view stat) {
  const std::size_t at = stat.find("\nprocs_running ");
  if (at == std::string_view::npos) return 0;
  unsigned n = 0;
  for (std::size_t i = at + 15; i < stat.size() && stat[i] >= '0' && stat[i] <= '9'; ++i) n = n * 10 + (stat[i] - '0');
  return n;
}

double load_average(std::string_view loadavg) {
  double v = 0;
  std::size_t i = 0;
  for (; i < loadavg.size() && loadavg[i] >= '0' && loadavg[i] <= '9'; ++i) v = v * 10 + (loadavg[i] - '0');
  if (i < loadavg.size() && loadavg[i] == '.')
    for (double scale = 0.1; ++i < loadavg.size() && loadavg[i] >= '0' && loadavg[i] <= '9'; scale /= 10)
      v += (loadavg[i] - '0') * scale;
  return v;
}

namespace {
std::string slurp_proc(const char* path) {
  std::string text;
  if (std::FILE* f = std::fopen(path, "re")) {
    text.resize(64 << 10);
    text.resize(std::fread(text.data(), 1, text.size(), f));
    std::fclose(f);
  }
  return text;
}
}  // namespace

unsigned idle_dump_workers(unsigned max_workers) {
  const unsigned cores = std::thread::hardware_concurrency();
  if (cores < 2) return 0;
  // A build of another session comes and goes (links, waits on files): the last minute's load
  // must leave a core free too, not only this instant.
  const std::string loadavg = slurp_proc("/proc/loadavg");
  if (loadavg.empty() || load_average(loadavg) > cores - 0.5) return 0;
  const unsigned running = procs_running(slurp_proc("/proc/stat"));  // this process included
  if (running == 0) return 0;
  const unsigned busy = running - 1;
  return busy >= cores ? 0 : std::min(max_workers, cores - busy);
}

void dump_parallel(mrt::Reader& reader, MrtDecoder& file_decoder, OutBuffer& out, const ParallelDumpOptions& opt) {
  Pipeline(reader, file_decoder, out, opt).run();
}

}  // namespace bgpfa::app
