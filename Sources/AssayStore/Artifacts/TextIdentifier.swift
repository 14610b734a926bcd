/// An identifier with one validated text form (artifact ids, run ids), coded as that string.
public protocol TextIdentifier: Codable {
    /// The text form.
    var rawValue: String { get }
    /// Validates `text`; `nil` when it is not of this identifier's form.
    init?(validating text: String)
}

extension TextIdentifier {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(validating: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a valid \(Self.self): \(text)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
