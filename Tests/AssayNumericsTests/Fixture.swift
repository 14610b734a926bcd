import Foundation
import Testing

/// Loads the JSON fixtures written by the scripts in `scripts/fixtures/` (`numerics_*.py`).
enum Fixture {
    struct Missing: Error, CustomStringConvertible {
        let name: String
        var description: String {
            "Fixtures/\(name).json: not in the test bundle. Run the scripts/fixtures/numerics_*.py script that writes it"
        }
    }

    /// The fixture file's location in the test bundle.
    static func url(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            throw Missing(name: name)
        }
        return url
    }

    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: url(name)))
    }

    /// Parses hexadecimal test data; records an issue and returns 0 for malformed text.
    static func hex64(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> UInt64 {
        guard let value = UInt64(text, radix: 16) else {
            Issue.record("not hex: \(text)", sourceLocation: sourceLocation)
            return 0
        }
        return value
    }

    /// The Double with the bit pattern written in `text` as hexadecimal.
    static func double(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Double {
        Double(bitPattern: hex64(text, sourceLocation: sourceLocation))
    }

    /// Versions the fixture script recorded.
    struct Generator: Decodable {
        let script: String
        let python: String
        let mpmath: String
    }
}
