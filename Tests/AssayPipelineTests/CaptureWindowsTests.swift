import AssayNumerics
import Testing

@testable import AssayPipeline

@Suite struct CaptureWindowsTests {
    func ranges(_ w: [CaptureWindow]) -> [Range<Int>] { w.map(\.events) }

    func ts(_ ms: Int64) -> CaptureTimestamp { CaptureWindows.timestamp(milliseconds: ms) }

    // MARK: By count

    @Test func tumblingByCount() throws {
        let w = try CaptureWindows.byCount(eventCount: 10, spec: WindowSpec(tumbling: .count(4)))
        #expect(ranges(w) == [0..<4, 4..<8, 8..<10])
        #expect(w.map(\.partial) == [false, false, true])
        #expect(w.map(\.index) == [0, 1, 2])
        #expect(w.allSatisfy { $0.start == nil && $0.end == nil })
        let exact = try CaptureWindows.byCount(eventCount: 8, spec: WindowSpec(tumbling: .count(4)))
        #expect(ranges(exact) == [0..<4, 4..<8])
        #expect(exact.allSatisfy { !$0.partial })
        #expect(try CaptureWindows.byCount(eventCount: 0, spec: WindowSpec(tumbling: .count(4))).isEmpty)
        let one = try CaptureWindows.byCount(eventCount: 3, spec: WindowSpec(tumbling: .count(Int.max)))
        #expect(ranges(one) == [0..<3])
        #expect(one[0].partial)
    }

    @Test func slidingByCount() throws {
        let w = try CaptureWindows.byCount(eventCount: 10, spec: WindowSpec(sliding: .count(4), step: .count(3)))
        #expect(ranges(w) == [0..<4, 3..<7, 6..<10])
        #expect(w.allSatisfy { !$0.partial })
        let tail = try CaptureWindows.byCount(eventCount: 11, spec: WindowSpec(sliding: .count(4), step: .count(3)))
        #expect(ranges(tail) == [0..<4, 3..<7, 6..<10, 9..<11])
        #expect(tail.map(\.partial) == [false, false, false, true])
        let short = try CaptureWindows.byCount(eventCount: 2, spec: WindowSpec(sliding: .count(4), step: .count(1)))
        #expect(ranges(short) == [0..<2])
    }

    @Test func badSpecIsAnError() {
        #expect(throws: PipelineError.self) { try CaptureWindows.byCount(eventCount: 3, spec: WindowSpec(tumbling: .count(0))) }
        #expect(throws: PipelineError.self) { try CaptureWindows.byCount(eventCount: 3, spec: WindowSpec(sliding: .count(2), step: .count(3))) }
        #expect(throws: PipelineError.self) { try CaptureWindows.windows(timestamps: [ts(0)], spec: WindowSpec(sliding: .milliseconds(10), step: .count(3))) }
    }

    /// Properties over many random shapes: tumbling windows partition the events; consecutive
    /// full sliding windows overlap by size − step; the last window reaches the end; the result
    /// is the same when computed twice.
    @Test func countProperties() throws {
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<500 {
            let n = Int.random(in: 0...200, using: &rng)
            let size = Int.random(in: 1...40, using: &rng)
            let step = Int.random(in: 1...size, using: &rng)

            let tumbling = try CaptureWindows.byCount(eventCount: n, spec: WindowSpec(tumbling: .count(size)))
            var seen = Array(repeating: 0, count: n)
            for w in tumbling { for i in w.events { seen[i] += 1 } }
            #expect(seen.allSatisfy { $0 == 1 })
            #expect(tumbling.dropLast().allSatisfy { $0.events.count == size && !$0.partial })

            let sliding = try CaptureWindows.byCount(eventCount: n, spec: WindowSpec(sliding: .count(size), step: .count(step)))
            for (a, b) in zip(sliding, sliding.dropFirst()) where !b.partial {
                #expect(a.events.upperBound - b.events.lowerBound == size - step)
                #expect(b.events.lowerBound - a.events.lowerBound == step)
            }
            #expect(sliding.last?.events.upperBound == (n == 0 ? nil : n))
            #expect(sliding.filter(\.partial).count <= 1)
            #expect(sliding.last.map { $0.partial == ($0.events.count < size) } ?? true)
            #expect(try CaptureWindows.byCount(eventCount: n, spec: WindowSpec(sliding: .count(size), step: .count(step))) == sliding)
        }
    }

    // MARK: By time

    @Test func tumblingByTimeAlignsToTheDuration() throws {
        // 10 s windows; first event at 12.5 s → windows start at 10 s.
        let times: [Int64] = [12_500, 15_000, 19_999, 20_000, 45_000, 49_999]
        let w = try CaptureWindows.windows(timestamps: times.map { ts($0) }, spec: WindowSpec(tumbling: .milliseconds(10_000)))
        #expect(ranges(w) == [0..<3, 3..<4, 4..<6])  // the empty 30–40 s window is left out
        #expect(w.map(\.start) == [ts(10_000), ts(20_000), ts(40_000)])
        #expect(w.map(\.end) == [ts(20_000), ts(30_000), ts(50_000)])
        #expect(w.map(\.partial) == [false, false, true])
        #expect(w.map(\.index) == [0, 1, 2])
    }

    @Test func slidingByTime() throws {
        // 10 s windows every 5 s, aligned to 10 s.
        let times: [Int64] = [10_000, 14_000, 16_000, 21_000, 60_000]
        let w = try CaptureWindows.windows(timestamps: times.map { ts($0) }, spec: WindowSpec(sliding: .milliseconds(10_000), step: .milliseconds(5_000)))
        #expect(w.map(\.start) == [ts(10_000), ts(15_000), ts(20_000), ts(55_000)])
        #expect(ranges(w) == [0..<3, 2..<4, 3..<4, 4..<5])
        #expect(w.map(\.partial) == [false, false, false, true])
    }

    @Test func subMillisecondAndNegativeTimestamps() throws {
        let times = [
            CaptureTimestamp(seconds: -1, nanoseconds: 999_999_999),  // -0.000000001 s
            CaptureTimestamp(seconds: 0, nanoseconds: 0),
            CaptureTimestamp(seconds: 0, nanoseconds: 999_999_999),
            CaptureTimestamp(seconds: 1, nanoseconds: 0),
        ]
        let w = try CaptureWindows.windows(timestamps: times, spec: WindowSpec(tumbling: .milliseconds(1000)))
        #expect(ranges(w) == [0..<1, 1..<3, 3..<4])
        #expect(w[0].start == CaptureTimestamp(seconds: -1, nanoseconds: 0))
    }

    @Test func timeWindowsNeedOrderedTimestamps() {
        let missing = describe { try CaptureWindows.windows(timestamps: [ts(0), nil], spec: WindowSpec(tumbling: .milliseconds(1000))) }
        #expect(missing.hasPrefix("event 1: windows by time need a timestamp"))
        let backwards = describe { try CaptureWindows.windows(timestamps: [ts(5000), ts(1000)], spec: WindowSpec(tumbling: .milliseconds(1000))) }
        #expect(backwards.hasPrefix("event 1: timestamp 1970-01-01T00:00:01Z is earlier"))
        let outOfRange = describe { try CaptureWindows.windows(timestamps: [CaptureTimestamp(seconds: .max, nanoseconds: 0)], spec: WindowSpec(tumbling: .milliseconds(1000))) }
        #expect(outOfRange.hasPrefix("event 0: timestamp"))
        // Windows by count do not look at timestamps.
        #expect((try? CaptureWindows.windows(timestamps: [nil, nil], spec: WindowSpec(tumbling: .count(1))))?.count == 2)
    }

    func describe(_ body: () throws -> [CaptureWindow]) -> String {
        do {
            _ = try body()
            return ""
        } catch {
            return String(describing: error)
        }
    }

    @Test func hugeGapsCostNothing() throws {
        // 1 ms windows over a century: the empty ones are skipped, not walked.
        let times = [ts(0), ts(1), ts(3_000_000_000_000)]
        let tumbling = try CaptureWindows.windows(timestamps: times, spec: WindowSpec(tumbling: .milliseconds(1)))
        #expect(ranges(tumbling) == [0..<1, 1..<2, 2..<3])
        let sliding = try CaptureWindows.windows(timestamps: times, spec: WindowSpec(sliding: .milliseconds(3), step: .milliseconds(1)))
        #expect(ranges(sliding) == [0..<2, 1..<2, 2..<3])
        #expect(sliding.last?.start == ts(2_999_999_999_998))
    }

    @Test func timeProperties() throws {
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<300 {
            let n = Int.random(in: 1...100, using: &rng)
            var t = Int64.random(in: -1_000_000...1_000_000, using: &rng)
            var times: [Int64] = []
            for _ in 0..<n {
                t += Int64.random(in: 0...3_000, using: &rng)
                times.append(t)
            }
            let stamps = times.map { ts($0) }
            let size = Int64.random(in: 1...5_000, using: &rng)
            let step = Int64.random(in: 1...size, using: &rng)

            let tumbling = try CaptureWindows.windows(timestamps: stamps, spec: WindowSpec(tumbling: .milliseconds(size)))
            var seen = Array(repeating: 0, count: n)
            for w in tumbling { for i in w.events { seen[i] += 1 } }
            #expect(seen.allSatisfy { $0 == 1 })

            let sliding = try CaptureWindows.windows(timestamps: stamps, spec: WindowSpec(sliding: .milliseconds(size), step: .milliseconds(step)))
            // Exactly the events whose time falls in [start, end), and never empty.
            for w in sliding {
                guard let start = w.start, let end = w.end else { Issue.record("no bounds"); continue }
                #expect(!w.events.isEmpty)
                let expected = stamps.indices.filter { stamps[$0] >= start && stamps[$0] < end }
                #expect(Array(w.events) == expected)
            }
            // Every event is covered, and the last window ends the capture.
            var covered = Array(repeating: false, count: n)
            for w in sliding { for i in w.events { covered[i] = true } }
            #expect(covered.allSatisfy { $0 })
            #expect(sliding.last?.events.upperBound == n)
            #expect(sliding.filter(\.partial).count == 1)
            #expect(try CaptureWindows.windows(timestamps: stamps, spec: WindowSpec(sliding: .milliseconds(size), step: .milliseconds(step))) == sliding)
        }
    }
}
