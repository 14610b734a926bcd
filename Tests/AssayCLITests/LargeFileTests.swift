import Foundation
import Testing
import _AssayTestSupport

@Suite(.serialized) struct LargeFileTests {
    /// A 2 GiB sparse file streams into the store with peak memory under 64 MiB.
    @Test func twoGiBFileInBoundedMemory() throws {
        let dir = try TemporaryDirectory()
        let ws = dir.file("ws")
        #expect(try AssayBinary.run(["init", ws]).status == 0)
        let big = dir.file("big.bin")
        let fd = open(big, O_WRONLY | O_CREAT, 0o644)
        #expect(fd >= 0)
        #expect(ftruncate(fd, 2 << 30) == 0)
        // A few non-zero bytes so the content is not trivially all zeros.
        for offset in [0, 1 << 30, (2 << 30) - 1] {
            var b: UInt8 = 0xAB
            #expect(pwrite(fd, &b, 1, off_t(offset)) == 1)
        }
        close(fd)
        // Measured by GNU time: posix_spawn's vfork makes wait4 report the test runner's own peak.
        let timeOutput = dir.file("time.txt")
        let r = try ChildProcess.run("/usr/bin/time", ["-f", "%M", "-o", timeOutput, AssayBinary.path, "add", big, "--json", "--workspace", ws])
        #expect(r.status == 0, "\(r.stderr)")
        let peakKiB = Int(try String(contentsOfFile: timeOutput, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? .max
        #expect(peakKiB < 64 * 1024, "peak RSS \(peakKiB) KiB")
        let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect((doc?["artifact"] as? [String: Any])?["size"] as? Int == 2 << 30)
        // Independent hash with coreutils.
        let sum = try ChildProcess.run("/usr/bin/sha256sum", [big])
        let id = (doc?["artifact"] as? [String: Any])?["id"] as? String
        #expect(id == "sha256:" + sum.stdout.prefix(64))
    }
}
