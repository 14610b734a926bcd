import Foundation
import AssayNumerics

/// The generator of scripts/fixtures/detectors_drift.py, bit for bit: a 64-bit LCG
/// (x ← x·6364136223846793005 + 1442695040888963407 mod 2^64) with uniforms (x >> 11)·2^-53,
/// so fixtures name their data instead of storing it.
struct FixtureLCG {
    var x: UInt64
    mutating func uniform() -> Double {
        x = x &* 6364136223846793005 &+ 1442695040888963407
        return Double(x >> 11) * (1.0 / 9007199254740992.0)
    }
}

/// A generator spec as the fixture file stores it.
struct DataSpec: Decodable {
    var n: Int, d: Int, kind: String, seed: UInt64
    var shift: Double?, scale: Double?, k: Int?, p: Double?

    func matrix() -> Tensor<Double> {
        var rng = FixtureLCG(x: seed)
        let shift = self.shift ?? 0, scale = self.scale ?? 1
        var out: [Double] = []
        out.reserveCapacity(n * d)
        for _ in 0..<n {
            for _ in 0..<d {
                switch kind {
                case "uniform": out.append(rng.uniform() * scale + shift)
                case "irwinhall":
                    var s = 0.0
                    for _ in 0..<12 { s += rng.uniform() }
                    out.append((s - 6.0) * scale + shift)
                case "ints": out.append(Double(Int(rng.uniform() * Double(k ?? 1))) + shift)
                case "binary": out.append(rng.uniform() < (p ?? 0.5) ? 1 : 0)
                default: fatalError("unknown generator \(kind) in fixture")
                }
            }
        }
        return try! Tensor(shape: [n, d], scalars: out)
    }
}

/// Loads a JSON fixture from the test bundle.
func loadFixture<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
    guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Fixtures/\(name).json"])
    }
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
}
