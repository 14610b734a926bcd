import Foundation

/// RFC 3339 UTC timestamps with milliseconds, as stored in the lineage (`2026-11-25T09:20:23.123Z`).
/// Timestamps are measurements: they never enter a recipe digest or a hashed output.
public enum Timestamp {
    /// The text form of `date`.
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }

    /// The current time's text form.
    public static func now() -> String { format(Date()) }
}
