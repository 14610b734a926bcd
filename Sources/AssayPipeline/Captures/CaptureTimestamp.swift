/// An event time in a capture: an instant in UTC with nanosecond resolution, parsed exactly
/// (no floating point) from RFC 3339 text or Unix seconds.
///
/// Captures write it as RFC 3339 in UTC (`2024-05-01T12:00:00.25Z`): the fraction keeps its
/// significant digits (at most nine), and is left out when zero. Two timestamps that name the
/// same instant (`…T14:00:00+02:00` and `…T12:00:00Z`) write the same text.
public struct CaptureTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z (negative before).
    public var seconds: Int64
    /// Nanoseconds within the second, `0..<1_000_000_000`.
    public var nanoseconds: Int32

    public init(seconds: Int64, nanoseconds: Int32) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    public static func < (a: CaptureTimestamp, b: CaptureTimestamp) -> Bool {
        (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
    }

    /// Seconds allowed: years 0001 through 9999.
    static let range: ClosedRange<Int64> = -62_135_596_800...253_402_300_799

    /// Parses RFC 3339 (`2024-05-01T12:00:00Z`, `2024-05-01 12:00:00.123456+02:00`; `T` or a
    /// space, `Z`/`z` or a numeric offset) or Unix seconds (`1714564800`, `1714564800.25`).
    /// Returns `nil` for anything else.
    public init?(parsing text: String) {
        let t = Array(text.utf8)
        if let v = CaptureTimestamp.parseUnix(t) ?? CaptureTimestamp.parseRFC3339(t) { self = v } else { return nil }
    }

    /// A text of Unix seconds: digits with an optional sign and an optional fraction (up to
    /// nine digits kept; more are cut, never rounded).
    static func parseUnix(_ t: [UInt8]) -> CaptureTimestamp? {
        var i = 0
        var negative = false
        if i < t.count, t[i] == UInt8(ascii: "-") || t[i] == UInt8(ascii: "+") { negative = t[i] == UInt8(ascii: "-"); i += 1 }
        var whole: Int64 = 0
        var digits = 0
        while i < t.count, let d = digit(t[i]) {
            let (m, o1) = whole.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(d))
            if o1 || o2 { return nil }
            whole = s
            digits += 1
            i += 1
        }
        guard digits > 0 else { return nil }
        var nanos: Int64 = 0
        if i < t.count, t[i] == UInt8(ascii: ".") {
            i += 1
            var scale: Int64 = 100_000_000
            var fractionDigits = 0
            while i < t.count, let d = digit(t[i]) {
                nanos += Int64(d) * scale
                scale /= 10
                fractionDigits += 1
                i += 1
            }
            guard fractionDigits > 0 else { return nil }
        }
        guard i == t.count else { return nil }
        var seconds = negative ? -whole : whole
        if negative && nanos > 0 { seconds -= 1; nanos = 1_000_000_000 - nanos }
        guard range.contains(seconds) else { return nil }
        return CaptureTimestamp(seconds: seconds, nanoseconds: Int32(nanos))
    }

    static func parseRFC3339(_ t: [UInt8]) -> CaptureTimestamp? {
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= t.count else { return nil }
            var v = 0
            for k in from..<(from + count) {
                guard let d = digit(t[k]) else { return nil }
                v = v * 10 + d
            }
            return v
        }
        guard t.count >= 20,
            let year = number(0, 4), t[4] == UInt8(ascii: "-"), let month = number(5, 2), t[7] == UInt8(ascii: "-"),
            let day = number(8, 2), [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(t[10]),
            let hour = number(11, 2), t[13] == UInt8(ascii: ":"), let minute = number(14, 2), t[16] == UInt8(ascii: ":"),
            let second = number(17, 2)
        else { return nil }
        guard year >= 1, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var nanos = 0
        if i < t.count, t[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 100_000_000
            var count = 0
            while i < t.count, let d = digit(t[i]) {
                nanos += d * scale
                scale /= 10
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
        }
        guard i < t.count else { return nil }
        var offset = 0
        if t[i] == UInt8(ascii: "Z") || t[i] == UInt8(ascii: "z") {
            i += 1
        } else if t[i] == UInt8(ascii: "+") || t[i] == UInt8(ascii: "-") {
            let sign = t[i] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = number(i + 1, 2), i + 3 < t.count, t[i + 3] == UInt8(ascii: ":"), let om = number(i + 4, 2), oh < 24, om < 60 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
            i += 6
        } else {
            return nil
        }
        guard i == t.count else { return nil }
        // A leap second (:60) is read as the next second, as most systems do.
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        guard range.contains(seconds) else { return nil }
        return CaptureTimestamp(seconds: seconds, nanoseconds: Int32(nanos))
    }

    /// RFC 3339 in UTC with the fraction's significant digits.
    public var description: String {
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        let (y, m, d) = CaptureTimestamp.civil(fromDays: days)
        var text = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if nanoseconds > 0 {
            var fraction = pad(Int(nanoseconds), 9)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }

    /// A fixed-width text that sorts as the instants do (for external sorting).
    var sortKey: String {
        pad(Int(seconds - CaptureTimestamp.range.lowerBound), 12) + pad(Int(nanoseconds), 9)
    }

    private func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    private static func digit(_ c: UInt8) -> Int? {
        c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") ? Int(c - UInt8(ascii: "0")) : nil
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date of a day count since 1970-01-01.
    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
