import Foundation
import Testing
@testable import AssayModels

/// Loads the fixtures `scripts/fixtures/models_sklearn.py` writes: models under
/// `Fixtures/sklearn/` and `Fixtures/invalid/`, with ONNX Runtime's outputs as JSON.
enum ModelFixture {
    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "Fixtures/\(path): not in the test bundle. Run the script that writes it: scripts/fixtures/models_sklearn.py (sklearn/, invalid/) or models_nn.py (nn/)"
        }
    }

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// A fixture file's bytes.
    static func data(_ directory: String, _ name: String, _ ext: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures/\(directory)") else {
            throw Missing(path: "\(directory)/\(name).\(ext)")
        }
        return try Data(contentsOf: url)
    }

    /// The parity cases in `manifest.json` (names), split by whether they need the neural
    /// network operators.
    static func caseNames(needingNeuralNetworkOperators: Bool) -> [String] {
        guard let data = try? data("sklearn", "manifest", "json"),
              let manifest = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cases = manifest["cases"] as? [[String: Any]]
        else { return [] }
        return cases.compactMap { c in
            guard let name = c["case"] as? String else { return nil }
            let nn = c["needs_neural_network_operators"] as? Bool ?? false
            return nn == needingNeuralNetworkOperators ? name : nil
        }
    }

    /// An output ONNX Runtime produced.
    enum Expected {
        case tensor(ModelTensor)
        case map(keys: ModelValue.MapKeys, rows: [[Float]])
    }

    /// One parity case: the model bytes, the inputs, and ONNX Runtime's outputs in order.
    struct Case {
        let name: String
        let model: Data
        let inputs: [String: ModelTensor]
        let outputs: [(name: String, value: Expected)]
    }

    static func parityCase(_ name: String) throws -> Case {
        let json = try data("sklearn", name, "json")
        guard let record = try JSONSerialization.jsonObject(with: json) as? [String: Any],
              let inputs = record["inputs"] as? [[String: Any]],
              let outputs = record["outputs"] as? [[String: Any]]
        else { throw Malformed(description: "\(name).json: not a parity record") }
        var feeds: [String: ModelTensor] = [:]
        for input in inputs {
            let t = try tensor(input, file: name)
            feeds[try string(input["name"], "\(name).json: input name")] = t
        }
        var expected: [(String, Expected)] = []
        for output in outputs {
            let outputName = try string(output["name"], "\(name).json: output name")
            if output["kind"] as? String == "map" {
                guard let keys = output["keys"] as? [Any], let rows = output["data"] as? [[Any]] else {
                    throw Malformed(description: "\(name).json: map output \(outputName)")
                }
                let mapKeys: ModelValue.MapKeys = keys.first is String
                    ? .string(keys.compactMap { $0 as? String })
                    : .int64(keys.compactMap { ($0 as? NSNumber)?.int64Value })
                expected.append((outputName, .map(keys: mapKeys, rows: try rows.map { try $0.map(float) })))
            } else {
                expected.append((outputName, .tensor(try tensor(output, file: name))))
            }
        }
        return Case(name: name, model: try data("sklearn", name, "onnx"), inputs: feeds, outputs: expected)
    }

    private static func string(_ value: Any?, _ what: String) throws -> String {
        guard let s = value as? String else { throw Malformed(description: what) }
        return s
    }

    private static func double(_ value: Any) throws -> Double {
        if let n = value as? NSNumber { return n.doubleValue }
        switch value as? String {
        case "nan": return .nan
        case "inf": return .infinity
        case "-inf": return -.infinity
        default: throw Malformed(description: "not a number: \(value)")
        }
    }

    private static func float(_ value: Any) throws -> Float { Float(try double(value)) }

    private static func tensor(_ record: [String: Any], file: String) throws -> ModelTensor {
        guard let type = record["type"] as? String, let shape = record["shape"] as? [Int], let data = record["data"] as? [Any] else {
            throw Malformed(description: "\(file).json: tensor record \(record["name"] ?? "?")")
        }
        let storage: ModelTensor.Storage
        let elementType: ElementType
        switch type {
        case "float32": elementType = .float32; storage = .float(try data.map(float))
        case "float64": elementType = .float64; storage = .double(try data.map(double))
        case "int64", "int32":
            elementType = type == "int64" ? .int64 : .int32
            storage = .int64(data.compactMap { ($0 as? NSNumber)?.int64Value })
        case "string": elementType = .string; storage = .string(data.compactMap { $0 as? String })
        default: throw Malformed(description: "\(file).json: type \(type)")
        }
        return try ModelTensor(elementType: elementType, shape: shape, storage: storage)
    }
}

/// The exact bytes of a value (floats by bit pattern, so NaNs compare), for determinism tests.
func exactBytes(_ value: ModelValue) -> [UInt64] {
    switch value {
    case .tensor(let t):
        let head = t.shape.map { UInt64(bitPattern: Int64($0)) } + [UInt64(t.elementType.rawValue)]
        switch t.storage {
        case .float(let v): return head + v.map { UInt64($0.bitPattern) }
        case .double(let v): return head + v.map(\.bitPattern)
        case .int64(let v): return head + v.map { UInt64(bitPattern: $0) }
        case .bool(let v): return head + v.map { $0 ? 1 : 0 }
        case .string(let v): return head + v.flatMap { $0.utf8.map { UInt64($0) } + [UInt64.max] }
        }
    case .sequenceOfMaps(let keys, let rows):
        let head: [UInt64]
        switch keys {
        case .int64(let k): head = k.map { UInt64(bitPattern: $0) }
        case .string(let k): head = k.flatMap { $0.utf8.map { UInt64($0) } + [UInt64.max] }
        }
        return head + rows.flatMap { $0.map { UInt64($0.bitPattern) } }
    }
}
