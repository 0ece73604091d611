#!/usr/bin/python3
"""A Python client of bgpfa's gRPC API, with Debian's python3-grpcio and python3-protobuf and stubs
generated here from proto/bgpfa.proto: lists the paths of a 100k-prefix table with default channel
options (no message-size settings), reads typed episodes (failure windows and predictions too)
and resumes a watch.

Usage: grpc_client.py BGPFA SOURCE_DIR. Exit 77 (skipped) when the Python gRPC packages or a stub
generator are missing."""
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

SKIP = 77


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(SKIP)


try:
    import grpc  # noqa: F401
    import google.protobuf  # noqa: F401
except ImportError as e:
    skip(f"python3-grpcio / python3-protobuf missing ({e}); scripts/deps.sh installs them")


def generate_stubs(source, out):
    proto = os.path.join(source, "proto")
    try:
        import grpc_tools.protoc  # noqa: F401

        cmd = [sys.executable, "-m", "grpc_tools.protoc"]
        plugin = []
    except ImportError:
        protoc, plugin_path = shutil.which("protoc"), shutil.which("grpc_python_plugin")
        if not protoc or not plugin_path:
            skip("neither grpc_tools nor protoc + grpc_python_plugin to generate the stubs")
        cmd = [protoc]
        plugin = [f"--plugin=protoc-gen-grpc={plugin_path}"]
    subprocess.run(cmd + [f"--proto_path={proto}", f"--python_out={out}", f"--grpc_out={out}"] + plugin
                   + [os.path.join(proto, "bgpfa.proto")], check=True)
    sys.path.insert(0, out)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def table_dump(path, n):
    """An MRT TABLE_DUMP_V2 snapshot (RFC 6396 4.3): n /24s from 10.0.0.0 on, one peer 192.0.2.1."""
    def record(subtype, body):
        return struct.pack("!IHHI", 1_700_000_000, 13, subtype, len(body)) + body

    peer_ip = socket.inet_aton("192.0.2.1")
    index = struct.pack("!I", 0x0A0A0A0A) + struct.pack("!H", 0) + struct.pack("!H", 1)
    index += bytes([0x02]) + struct.pack("!I", 0xC0000201) + peer_ip + struct.pack("!I", 12076)  # 4-octet AS
    attrs = bytes([0x40, 1, 1, 0])                                                # ORIGIN IGP
    attrs += bytes([0x40, 2, 10, 2, 2]) + struct.pack("!II", 12076, 65100)       # AS_PATH
    attrs += bytes([0x40, 3, 4]) + peer_ip                                        # NEXT_HOP
    with open(path, "wb") as f:
        f.write(record(1, index))
        for i in range(n):
            prefix = bytes([24]) + struct.pack("!I", 0x0A000000 + (i << 8))[:3]
            entry = struct.pack("!HIH", 0, 1_700_000_000, len(attrs)) + attrs
            f.write(record(2, struct.pack("!I", i) + prefix + struct.pack("!H", 1) + entry))


class Replay:
    """bgpfa replay --serve ADDR, until stopped."""

    def __init__(self, bgpfa, conf, dump, tmp):
        self.address = f"127.0.0.1:{free_port()}"
        self.err = os.path.join(tmp, f"replay-{os.path.basename(dump)}.err")
        self.proc = subprocess.Popen([bgpfa, "replay", "-q", "-c", conf, "-o", os.devnull, "--serve", self.address, dump],
                                     stdout=subprocess.DEVNULL, stderr=open(self.err, "w"))
        for _ in range(600):
            if "results are served over gRPC" in open(self.err).read():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise SystemExit(f"FAIL: replay --serve did not come up: {open(self.err).read()}")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        assert self.proc.wait(timeout=30) == 0


def main():
    bgpfa, source = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        generate_stubs(source, tmp)
        import bgpfa_pb2 as pb
        import bgpfa_pb2_grpc as rpc

        # 1. A 100k-prefix table through a channel with default options.
        n = 100_000
        dump, conf = os.path.join(tmp, "table.mrt"), os.path.join(tmp, "bgpfa.conf")
        table_dump(dump, n)
        with open(conf, "w") as f:
            # 100,000 prefixes on one ExpressRoute session: far above Azure's 4,000, analysed anyway.
            f.write("router bgp 65515\n neighbor 192.0.2.1 remote-as 12076\n"
                    " neighbor 192.0.2.1 gateway expressroute circuit er1 link primary\n"
                    "analyzer\n prefix-limits off\n")
        big = Replay(bgpfa, conf, dump, tmp)
        try:
            with grpc.insecure_channel(big.address) as channel:
                stub = rpc.AnalyzerStub(channel)
                count, batches, last = 0, 0, None
                for batch in stub.ListPaths(pb.ListPathsRequest()):
                    batches += 1
                    for p in batch.paths:
                        assert p.kind == pb.PATH_KIND_ER_PRIMARY, p
                        assert last is None or p.prefix != last
                        last = p.prefix
                        count += 1
                assert count == n, count
                assert batches == n // 1000, batches
                print(f"ok: ListPaths streamed {count} paths in {batches} batches with default channel options")
        finally:
            big.stop()

        # 2. Typed episodes and a resumed watch, on the bundled failover capture.
        fixture = os.path.join(source, "fixtures", "failover")
        small = Replay(bgpfa, os.path.join(fixture, "bgpfa.conf"), os.path.join(fixture, "capture.mrt"), tmp)
        try:
            with grpc.insecure_channel(small.address) as channel:
                stub = rpc.AnalyzerStub(channel)
                episodes = list(stub.ListEpisodes(pb.ListEpisodesRequest()))
                # The sessions' first tables are baselines: the episodes are the failures and the return.
                assert len(episodes) == 3, episodes
                first = episodes[0]
                assert first.trigger.kind == pb.TRIGGER_KIND_SESSION_DOWN
                assert first.trigger.peer_address == "192.0.2.1"
                assert first.start.ToDatetime().year == 2023
                assert any(t.previous == pb.PATH_KIND_ER_ECMP and t.current == pb.PATH_KIND_ER_SECONDARY
                           for t in first.transitions)
                last = episodes[2]
                assert last.trigger.kind == pb.TRIGGER_KIND_SESSION_UP
                assert last.max.ToTimedelta().total_seconds() == 0.8
                # The failure window and the prediction, typed.
                assert last.failure.status == pb.WINDOW_STATUS_NONE
                down = first.failure
                assert down.status == pb.WINDOW_STATUS_UNKNOWN, down
                assert down.mechanism == pb.DETECTION_MECHANISM_TCP_CLOSE
                assert down.note.startswith("unknown: the input holds no KEEPALIVEs"), down.note
                assert not down.HasField("failure_after")
                assert episodes[1].failure.status == pb.WINDOW_STATUS_NOT_OBSERVABLE, episodes[1].failure
                prediction = first.prediction
                assert list(prediction.failed) == ["192.0.2.1 (er1 primary)"], prediction
                assert prediction.matched == 4 and prediction.differed == 0, prediction
                assert episodes[1].prediction.unpredicted == 3, episodes[1].prediction
                detail = stub.GetEpisode(pb.GetEpisodeRequest(id=1))
                assert detail.prefix_count == 4
                print(f"ok: {len(episodes)} typed episodes; #1 moved {list(detail.prefixes)}")

                # A watch to its snapshot's end, then resumed from an earlier sequence.
                watch = stub.Watch(pb.WatchRequest())
                rows = 0
                for m in watch:
                    if m.WhichOneof("item") == "snapshot":
                        rows += len(m.snapshot.paths)
                    elif m.WhichOneof("item") == "snapshot_end":
                        end = m.snapshot_end
                        break
                watch.cancel()
                assert rows == 5 and end == 19, (rows, end)
                resumed = stub.Watch(pb.WatchRequest(since_sequence=15))
                sequences = []
                for m in resumed:
                    assert m.WhichOneof("item") == "events", m
                    sequences += [e.sequence for e in m.events.events]
                    if len(sequences) >= end - 15:
                        break
                resumed.cancel()
                assert sequences == list(range(16, end + 1)), sequences
                try:
                    stub.Lookup(pb.LookupRequest(address="99.1.1.1"))
                    raise SystemExit("FAIL: Lookup of an uncovered address succeeded")
                except grpc.RpcError as e:
                    assert e.code() == grpc.StatusCode.NOT_FOUND, e
                print(f"ok: watch snapshot of {rows} rows at #{end}, resumed after #15: {sequences}")
        finally:
            small.stop()


if __name__ == "__main__":
    main()
