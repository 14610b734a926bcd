import Foundation

/// The id of a run: a UUIDv7 (RFC 9562) in lowercase text form.
///
/// UUIDv7 puts a millisecond Unix timestamp in the first 48 bits and 74 random bits after it, so
/// ids sort by creation time and are unique across machines: workspaces recorded on several
/// machines merge by a plain union of their rows. Run ids are measurements, not results: they
/// never enter a recipe digest or a hashed output.
public struct RunID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Lowercase `xxxxxxxx-xxxx-7xxx-yxxx-xxxxxxxxxxxx`.
    public let rawValue: String

    /// A new id for a run starting at `date`.
    public init(date: Date = Date()) {
        var generator = SystemRandomNumberGenerator()
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var b = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { b[i] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - UInt64(i)))) }
        let r1 = generator.next()
        let r2 = generator.next()
        for i in 6..<16 {
            let word = i < 14 ? r1 : r2
            b[i] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(i % 8)))
        }
        b[6] = 0x70 | (b[6] & 0x0f)   // version 7
        b[8] = 0x80 | (b[8] & 0x3f)   // RFC 9562 variant
        let hex = b.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        let h = Array(hex)
        rawValue = String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-"
            + String(h[16..<20]) + "-" + String(h[20..<32])
    }

    /// Validates an existing id's text form.
    public init?(validating text: String) {
        guard RunID.isValid(text) else { return nil }
        rawValue = text
    }

    /// Whether `text` is a lowercase hyphenated UUID.
    public static func isValid(_ text: String) -> Bool {
        let u = Array(text.utf8)
        guard u.count == 36 else { return false }
        for (i, c) in u.enumerated() {
            if [8, 13, 18, 23].contains(i) {
                if c != UInt8(ascii: "-") { return false }
            } else if !((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)) {
                return false
            }
        }
        return true
    }

    /// The first 13 characters, enough to tell runs apart in tables.
    public var short: String { String(rawValue.prefix(13)) }

    public var description: String { rawValue }
    public static func < (a: RunID, b: RunID) -> Bool { a.rawValue < b.rawValue }
}

extension RunID: TextIdentifier {}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
