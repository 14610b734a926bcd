/// How a replay cuts a capture into windows: by event count or by time, tumbling or sliding.
///
/// Written in a pipeline spec as `window: {size: 1000}` (tumbling, 1000 events),
/// `window: {duration: 10m, mode: sliding, step: 5m}`, and so on; see <doc:PipelineSpec>.
/// ``CaptureWindows`` turns it into index ranges.
public struct WindowSpec: Sendable, Hashable {
    /// Whether consecutive windows are disjoint or overlap.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// Disjoint windows, one after the other (the step is the size).
        case tumbling
        /// Windows that start every `step` and overlap by `size - step`.
        case sliding
    }

    /// What a window's size and step count.
    public enum Extent: Sendable, Hashable {
        /// A number of events, at least 1.
        case count(Int)
        /// A length of time in milliseconds, at least 1; windows need event timestamps.
        case milliseconds(Int64)
    }

    /// The length of one window.
    public var size: Extent
    /// How far each window starts after the previous one; equal to ``size`` when tumbling.
    public var step: Extent

    /// Tumbling windows of `size`.
    public init(tumbling size: Extent) {
        self.size = size
        self.step = size
    }

    /// Sliding windows of `size` starting every `step`. The caller keeps `step` in the same unit
    /// as `size` and not larger (the spec parser checks both).
    public init(sliding size: Extent, step: Extent) {
        self.size = size
        self.step = step
    }

    /// `tumbling` when the step is the size, else `sliding`.
    public var mode: Mode { step == size ? .tumbling : .sliding }

    /// True for windows by time (``Extent/milliseconds(_:)``).
    public var isByTime: Bool {
        if case .milliseconds = size { return true }
        return false
    }

    /// Longest duration accepted: 100 years, so that window arithmetic on any capture timestamp
    /// stays far inside `Int64` milliseconds.
    public static let maximumMilliseconds: Int64 = 100 * 366 * 86_400_000
}
