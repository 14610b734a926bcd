import Testing

@testable import AssayPipeline

/// The streaming window cutter gives exactly the windows of ``CaptureWindows`` (ranges, starts,
/// ends, partial flags, indices), and never releases an event a later window needs.
@Suite struct WindowCutterTests {
    func streamed(_ timestamps: [CaptureTimestamp?], _ spec: WindowSpec) throws -> [CaptureWindow] {
        var cutter = try WindowCutter(spec: spec)
        var out: [CaptureWindow] = []
        var released = 0
        for t in timestamps {
            let closed = try cutter.add(t)
            for w in closed { #expect(w.events.lowerBound >= released, "window \(w.index) needs released events") }
            out += closed
            released = max(released, cutter.oldestNeeded)
        }
        if let last = cutter.finish() {
            #expect(last.events.lowerBound >= released)
            out.append(last)
        }
        return out
    }

    @Test func byCountMatchesBatchCutting() throws {
        for n in [0, 1, 2, 3, 7, 8, 9, 10, 11, 31, 100] {
            for size in [1, 2, 3, 4, 8, 10, 50, Int.max] {
                for step in [1, 2, 3, 4, 8, 10, 50, Int.max] where step <= size {
                    let spec = step == size ? WindowSpec(tumbling: .count(size)) : WindowSpec(sliding: .count(size), step: .count(step))
                    let batch = try CaptureWindows.byCount(eventCount: n, spec: spec)
                    #expect(try streamed(Array(repeating: nil, count: n), spec) == batch, "n \(n) size \(size) step \(step)")
                }
            }
        }
    }

    @Test func byTimeMatchesBatchCuttingWithGaps() throws {
        var x: UInt64 = 42
        func next() -> UInt64 { x = x &* 6364136223846793005 &+ 1442695040888963407; return x >> 33 }
        for trial in 0..<300 {
            let n = Int(next() % 60)
            var t: Int64 = 1_700_000_000_000 + Int64(next() % 100_000)
            var times: [CaptureTimestamp?] = []
            for _ in 0..<n {
                // Bursts, equal timestamps and long gaps.
                switch next() % 10 {
                case 0: t += 0
                case 1: t += Int64(next() % 1_000_000)
                default: t += Int64(next() % 3_000)
                }
                times.append(CaptureWindows.timestamp(milliseconds: t))
            }
            let size = Int64(1 + next() % 10_000)
            let step = trial % 3 == 0 ? size : Int64(1 + next() % UInt64(size))
            let spec = step == size ? WindowSpec(tumbling: .milliseconds(size)) : WindowSpec(sliding: .milliseconds(size), step: .milliseconds(step))
            let batch = try CaptureWindows.windows(timestamps: times, spec: spec)
            #expect(try streamed(times, spec) == batch, "trial \(trial): n \(n) size \(size) step \(step)")
        }
    }

    @Test func byTimeRefusesMissingAndDecreasingTimestamps() throws {
        var cutter = try WindowCutter(spec: WindowSpec(tumbling: .milliseconds(1000)))
        _ = try cutter.add(CaptureWindows.timestamp(milliseconds: 5000))
        #expect(throws: PipelineError.self) { _ = try cutter.add(CaptureWindows.timestamp(milliseconds: 4000)) }
        var other = try WindowCutter(spec: WindowSpec(tumbling: .milliseconds(1000)))
        #expect(throws: PipelineError.self) { _ = try other.add(nil) }
        #expect(throws: PipelineError.self) { _ = try WindowCutter(spec: WindowSpec(tumbling: .count(0))) }
    }
}
