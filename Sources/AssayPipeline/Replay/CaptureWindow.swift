/// One window of a capture: a contiguous range of event indices (in capture order).
public struct CaptureWindow: Sendable, Hashable {
    /// Position of the window in the replay, from 0, counting only the windows produced.
    public var index: Int
    /// The events in the window, as indices into the capture's events.
    public var events: Range<Int>
    /// For windows by time, the window's start (inclusive); `nil` for windows by count.
    public var start: CaptureTimestamp?
    /// For windows by time, the window's end (exclusive); `nil` for windows by count.
    public var end: CaptureTimestamp?
    /// True for a last window that may not be full: by count, one with fewer events than the
    /// size; by time, the last window (the capture ends inside it).
    public var partial: Bool

    public init(index: Int, events: Range<Int>, start: CaptureTimestamp? = nil, end: CaptureTimestamp? = nil, partial: Bool) {
        self.index = index
        self.events = events
        self.start = start
        self.end = end
        self.partial = partial
    }
}
