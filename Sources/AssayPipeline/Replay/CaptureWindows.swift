/// Cuts a capture's events into windows: pure and deterministic, index ranges out.
///
/// Events are taken in capture order (see <doc:CaptureFormat>, "Order").
///
/// - **By count**, windows start at event 0, then every `step` events, and hold `size` events.
///   Tumbling windows (step = size) put every event in exactly one window; sliding windows
///   overlap their neighbour by `size - step` events.
/// - **By time**, windows are end-exclusive intervals `[start, start + size)`. The first starts at
///   the first event's timestamp floored to a multiple of `size` since the Unix epoch (so a
///   10-minute window starts on `12:00`, `12:10`, …), the next ones every `step`. An event
///   belongs to every window whose interval holds its timestamp. Windows that would hold no
///   event (gaps in the traffic) are left out, so ``CaptureWindow/index`` counts only windows
///   produced. Every event needs a timestamp, and timestamps must not decrease.
/// - **The last window.** Windows stop with the first one that reaches the end of the capture.
///   It is kept, so no event is left out, and flagged ``CaptureWindow/partial`` when it may not
///   be full: by count, when it holds fewer than `size` events; by time, always (no later
///   event shows that the traffic of its interval is complete). Later windows would only hold a
///   subset of its events and are not produced.
public enum CaptureWindows {
    /// The windows over `count` events, by count. `spec` must be by count.
    public static func byCount(eventCount count: Int, spec: WindowSpec) throws(PipelineError) -> [CaptureWindow] {
        guard case .count(let size) = spec.size, case .count(let step) = spec.step, size > 0, step > 0, step <= size else {
            throw PipelineError.invalidInput(
                place: "window", problem: "expected a window by count with 0 < step <= size",
                fix: "Give `size` (and `step` for sliding windows) as numbers of events")
        }
        var windows: [CaptureWindow] = []
        var start = 0
        while start < count {
            let (rawEnd, overflow) = start.addingReportingOverflow(size)
            let end = overflow ? count : min(rawEnd, count)
            windows.append(CaptureWindow(index: windows.count, events: start..<end, partial: overflow || rawEnd > count))
            if end == count { break }
            start += step
        }
        return windows
    }

    /// The windows over events with these timestamps (in capture order), by time or by count.
    ///
    /// For windows by time, a missing or decreasing timestamp is an error naming the event.
    public static func windows(timestamps: [CaptureTimestamp?], spec: WindowSpec) throws(PipelineError) -> [CaptureWindow] {
        guard case .milliseconds(let size) = spec.size else {
            return try byCount(eventCount: timestamps.count, spec: spec)
        }
        guard case .milliseconds(let step) = spec.step, size > 0, step > 0, step <= size,
              size <= WindowSpec.maximumMilliseconds else {
            throw PipelineError.invalidInput(
                place: "window", problem: "expected a window by time with 0 < step <= duration <= 100 years",
                fix: "Give `duration` (and `step` for sliding windows) as durations such as 30s, 10m, 1h")
        }
        var times: [Int64] = []
        times.reserveCapacity(timestamps.count)
        for (i, t) in timestamps.enumerated() {
            times.append(try milliseconds(t, event: i, previous: times.last))
        }
        guard let first = times.first else { return [] }
        // Flooring to whole milliseconds keeps every event in the same windows, because window
        // boundaries are whole milliseconds.
        let origin = floorDivide(first, size) * size
        var windows: [CaptureWindow] = []
        var j: Int64 = 0
        var lo = 0
        var hi = 0
        while true {
            let start = origin + j * step
            let end = start + size
            while lo < times.count, times[lo] < start { lo += 1 }
            if lo == times.count { break }
            if times[lo] >= end {
                // No event in this window: jump to the first window that holds event `lo`.
                j = max(j + 1, floorDivide(times[lo] - origin - size, step) + 1)
                continue
            }
            hi = max(hi, lo)
            while hi < times.count, times[hi] < end { hi += 1 }
            windows.append(CaptureWindow(
                index: windows.count, events: lo..<hi,
                start: timestamp(milliseconds: start), end: timestamp(milliseconds: end),
                partial: hi == times.count))
            if hi == times.count { break }
            j += 1
        }
        return windows
    }

    /// The windows over a capture's events.
    public static func windows(events: [CaptureEvent], spec: WindowSpec) throws(PipelineError) -> [CaptureWindow] {
        try windows(timestamps: events.map(\.timestamp), spec: spec)
    }

    /// An event's timestamp in whole milliseconds, checked for windows by time: present, within
    /// years 0001–9999, and not earlier than the previous event's (`previous`, in ms).
    static func milliseconds(_ timestamp: CaptureTimestamp?, event i: Int, previous: Int64?) throws(PipelineError) -> Int64 {
        guard let t = timestamp else {
            throw PipelineError.invalidInput(
                place: "event \(i)", problem: "windows by time need a timestamp on every event, and this one has none",
                fix: "Use a window by count (`size:`), or import the capture from a source with timestamps")
        }
        guard CaptureTimestamp.range.contains(t.seconds), (0..<1_000_000_000).contains(t.nanoseconds) else {
            throw PipelineError.invalidInput(
                place: "event \(i)", problem: "timestamp \(t.seconds) s \(t.nanoseconds) ns is outside years 0001 to 9999",
                fix: "Re-import the capture; its timestamps are read from RFC 3339 text")
        }
        let ms = t.seconds * 1000 + Int64(t.nanoseconds / 1_000_000)
        if let previous, ms < previous {
            throw PipelineError.invalidInput(
                place: "event \(i)", problem: "timestamp \(t) is earlier than the previous event's",
                fix: "Window a capture in capture order (captures are sorted by timestamp when imported)")
        }
        return ms
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func timestamp(milliseconds ms: Int64) -> CaptureTimestamp {
        let seconds = floorDivide(ms, 1000)
        return CaptureTimestamp(seconds: seconds, nanoseconds: Int32(ms - seconds * 1000) * 1_000_000)
    }
}
