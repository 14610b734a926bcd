import AssayCrypto

/// The id of an artifact: `sha256:` followed by the 64 lowercase hex digits of the SHA-256 of its
/// bytes. Two artifacts with the same bytes have the same id; an id never changes meaning.
public struct ArtifactID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The full text form, `sha256:<64 hex>`.
    public let rawValue: String

    /// The prefix every artifact id starts with.
    public static let scheme = "sha256:"

    /// Validates `text`; throws ``StoreError/invalidArtifactID(_:)`` when it is not a full id.
    public init(_ text: String) throws(StoreError) {
        guard ArtifactID.isValid(text) else { throw .invalidArtifactID(text) }
        rawValue = text
    }

    /// The id of content whose SHA-256 digest is `digest`.
    public init(digest: SHA256.Digest) {
        rawValue = ArtifactID.scheme + digest.hex
    }

    /// Whether `text` is a full, well-formed artifact id.
    public static func isValid(_ text: String) -> Bool {
        let u = Array(text.utf8)
        guard u.count == 71, text.hasPrefix(scheme) else { return false }
        return u[7...].allSatisfy { Hex.isLowerHexDigit($0) }
    }

    /// The 64 hex digits after `sha256:`.
    public var hex: Substring { rawValue.dropFirst(ArtifactID.scheme.count) }

    /// A short form for tables: `sha256:` and the first 12 hex digits.
    public var short: String { ArtifactID.scheme + hex.prefix(12) }

    public var description: String { rawValue }
    public static func < (a: ArtifactID, b: ArtifactID) -> Bool { a.rawValue < b.rawValue }
}

extension ArtifactID: TextIdentifier {
    public init?(validating text: String) {
        guard ArtifactID.isValid(text) else { return nil }
        rawValue = text
    }
}
