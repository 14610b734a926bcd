/// Cuts windows out of a stream of events, one event at a time: the streaming form of
/// ``CaptureWindows``, with the same windows (same ranges, starts, ends and partial flags).
///
/// Feed every event's timestamp in capture order with ``add(_:)``; it returns the windows that
/// the event closes. ``finish()`` returns the last window. ``oldestNeeded`` tells how many of
/// the oldest events no open window can still need, so a replay holds only the events of the
/// windows still open, whatever the capture's length.
public struct WindowCutter: Sendable {
    public let spec: WindowSpec
    private let size: Int64
    private let step: Int64
    private let byTime: Bool
    /// Events seen so far.
    public private(set) var count = 0
    private var produced = 0
    private var done = false
    // By count: the next window to emit starts at `nextStart`.
    private var nextStart = 0
    // By time: the timestamps (ms) of events from `firstKept` on, the origin and the next window.
    private var times: [Int64] = []
    private var firstKept = 0
    private var origin: Int64 = 0
    private var nextJ: Int64 = 0

    public init(spec: WindowSpec) throws(PipelineError) {
        self.spec = spec
        switch (spec.size, spec.step) {
        case (.count(let size), .count(let step)) where size > 0 && step > 0 && step <= size:
            self.size = Int64(size); self.step = Int64(step); byTime = false
        case (.milliseconds(let size), .milliseconds(let step)) where size > 0 && step > 0 && step <= size && size <= WindowSpec.maximumMilliseconds:
            self.size = size; self.step = step; byTime = true
        default:
            throw PipelineError.invalidInput(place: "window", problem: "expected 0 < step <= size, both by count or both by time",
                                             fix: "Give `size` or `duration`, and for sliding windows a `step` in the same unit")
        }
    }

    /// The index of the oldest event an open window may still hold: events before it can be
    /// released.
    public var oldestNeeded: Int {
        if byTime { return firstKept }
        return min(nextStart, count)
    }

    /// Adds the next event (its timestamp is needed for windows by time) and returns the windows
    /// it closes, in order.
    public mutating func add(_ timestamp: CaptureTimestamp?) throws(PipelineError) -> [CaptureWindow] {
        let i = count
        guard !byTime else { return try addTimed(timestamp, index: i) }
        count += 1
        var closed: [CaptureWindow] = []
        while !done, Int64(count - nextStart) >= size {
            let end = nextStart + Int(size)
            closed.append(CaptureWindow(index: produced, events: nextStart..<end, partial: false))
            produced += 1
            nextStart += Int(step)
        }
        return closed
    }

    private mutating func addTimed(_ timestamp: CaptureTimestamp?, index i: Int) throws(PipelineError) -> [CaptureWindow] {
        let ms = try CaptureWindows.milliseconds(timestamp, event: i, previous: times.last)
        if count == 0 { origin = CaptureWindows.floorDivide(ms, size) * size }
        var closed: [CaptureWindow] = []
        // Every window that ends at or before this event is complete.
        while origin + nextJ * step + size <= ms {
            let start = origin + nextJ * step
            let end = start + size
            while firstKept < count, times[firstKept - base] < start { firstKept += 1 }
            if firstKept < count, times[firstKept - base] < end {
                var hi = firstKept
                while hi < count, times[hi - base] < end { hi += 1 }
                closed.append(CaptureWindow(index: produced, events: firstKept..<hi,
                                            start: CaptureWindows.timestamp(milliseconds: start),
                                            end: CaptureWindows.timestamp(milliseconds: end), partial: false))
                produced += 1
                nextJ += 1
            } else {
                // No buffered event in this window: jump to the first window that can hold the
                // oldest buffered event, or the new one.
                let next = firstKept < count ? times[firstKept - base] : ms
                nextJ = max(nextJ + 1, CaptureWindows.floorDivide(next - origin - size, step) + 1)
            }
        }
        times.append(ms)
        count += 1
        // Keep only the timestamps an open window can still need.
        let start = origin + nextJ * step
        while firstKept < count - 1, times[firstKept - base] < start { firstKept += 1 }
        if firstKept - base > 4096, firstKept - base > times.count / 2 {
            times.removeFirst(firstKept - base)
            base = firstKept
        }
        return closed
    }
    private var base = 0

    /// The last window, once every event was added: `nil` when there were no events, or when a
    /// full window already ended exactly with the last event.
    public mutating func finish() -> CaptureWindow? {
        guard !done, count > 0 else { return nil }
        done = true
        if !byTime {
            // A full window ending exactly at the last event closes the stream.
            if produced > 0, Int64(count - (nextStart - Int(step))) <= size { return nil }
            guard nextStart < count else { return nil }
            let window = CaptureWindow(index: produced, events: nextStart..<count, partial: true)
            produced += 1
            return window
        }
        let last = times[count - 1 - base]
        // The first window that ends after the last event holds it.
        let j = max(nextJ, CaptureWindows.floorDivide(last - origin - size, step) + 1)
        let start = origin + j * step
        var lo = firstKept
        while lo < count, times[lo - base] < start { lo += 1 }
        let window = CaptureWindow(index: produced, events: lo..<count, start: CaptureWindows.timestamp(milliseconds: start),
                                   end: CaptureWindows.timestamp(milliseconds: start + size), partial: true)
        produced += 1
        return window
    }
}
