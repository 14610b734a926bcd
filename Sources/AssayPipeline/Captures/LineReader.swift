#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file line by line in bounded memory: a fixed-size buffer, one line at a time.
///
/// A line ends at `\n` (a preceding `\r` is dropped); the last line may lack it, which
/// ``lastLineWasUnterminated`` reports (a truncated file usually ends so). A line longer than
/// ``maximumLineLength`` is an error, so hostile input cannot exhaust memory.
final class LineReader {
    /// The longest line accepted, in bytes (64 MiB).
    static let maximumLineLength = 64 << 20

    private let fd: Int32
    private let path: String
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEOF = false
    /// The 1-based number of the line last returned by ``next()``.
    private(set) var lineNumber = 0
    /// The byte offset in the file where the line last returned starts.
    private(set) var lineOffset: Int64 = 0
    private var consumed: Int64 = 0
    /// Whether the line last returned had no line break after it (the end of the file).
    private(set) var lastLineWasUnterminated = false

    init(path: String, bufferSize: Int = 1 << 16) throws(PipelineError) {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw .invalidInput(place: path, problem: "cannot be opened (errno \(errno))", fix: "Check the path and its permissions.")
        }
        buffer = [UInt8](repeating: 0, count: bufferSize)
    }

    deinit { close(fd) }

    /// The next line without its line break, or `nil` at the end of the file.
    func next() throws(PipelineError) -> ArraySlice<UInt8>? {
        var searchFrom = start
        while true {
            let found: Int? = searchFrom < end ? buffer.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int? in
                guard let base = raw.baseAddress, let hit = memchr(base + searchFrom, 0x0a, end - searchFrom) else { return nil }
                return base.distance(to: UnsafeRawPointer(hit))
            } : nil
            if let nl = found {
                var lineEnd = nl
                if lineEnd > start, buffer[lineEnd - 1] == 0x0d { lineEnd -= 1 }
                let line = buffer[start..<lineEnd]
                lineOffset = consumed
                consumed += Int64(nl + 1 - start)
                start = nl + 1
                lineNumber += 1
                lastLineWasUnterminated = false
                return line
            }
            if atEOF {
                guard start < end else { return nil }
                let line = buffer[start..<end]
                lineOffset = consumed
                consumed += Int64(end - start)
                start = end
                lineNumber += 1
                lastLineWasUnterminated = true
                return line
            }
            try fill()
            // `fill` moved the pending bytes to the front; search only what is new.
            searchFrom = pendingSearched
        }
    }

    /// Where the search for a line break resumes after ``fill()`` compacted the buffer.
    private var pendingSearched = 0

    /// Moves the pending bytes to the front, grows the buffer when a line fills it, and reads.
    private func fill() throws(PipelineError) {
        let pending = end - start
        if start > 0 {
            buffer.withUnsafeMutableBytes { raw in
                guard let base = raw.baseAddress else { return }
                memmove(base, base + start, pending)
            }
            start = 0
            end = pending
        }
        pendingSearched = pending
        if end == buffer.count {
            guard buffer.count < LineReader.maximumLineLength else {
                throw .invalidInput(place: "\(path): line \(lineNumber + 1)", problem: "the line is longer than \(LineReader.maximumLineLength >> 20) MiB",
                                    fix: "This is not a line-oriented capture (binary data?); check --format.")
            }
            buffer.append(contentsOf: [UInt8](repeating: 0, count: min(buffer.count, LineReader.maximumLineLength - buffer.count)))
        }
        let n = buffer.withUnsafeMutableBytes { raw -> Int in
            var n: Int
            repeat { n = read(fd, raw.baseAddress! + end, raw.count - end) } while n < 0 && errno == EINTR
            return n
        }
        if n < 0 { throw .invalidInput(place: path, problem: "read failed (errno \(errno))", fix: "Check the file.") }
        if n == 0 { atEOF = true }
        end += n
    }
}
