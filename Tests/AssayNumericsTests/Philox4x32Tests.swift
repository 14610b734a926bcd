import AssayNumerics
import Testing

/// Known-answer tests from Random123's `tests/kat_vectors` (the `philox4x32` lines): columns are
/// rounds, counter (4 words), key (2 words), expected output (4 words).
struct Philox4x32Tests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let rounds: Int
        let counter: SIMD4<UInt32>
        let key: SIMD2<UInt32>
        let expected: SIMD4<UInt32>
        var testDescription: String { "philox4x32 \(rounds) \(counter) \(key)" }
    }

    static let random123: [Vector] = [
        Vector(rounds: 7, counter: SIMD4(0, 0, 0, 0), key: SIMD2(0, 0),
               expected: SIMD4(0x5f6f_b709, 0x0d89_3f64, 0x4f12_1f81, 0x4f73_0a48)),
        Vector(rounds: 7, counter: SIMD4(repeating: .max), key: SIMD2(repeating: .max),
               expected: SIMD4(0x5207_ddc2, 0x4516_5e59, 0x4d8e_e751, 0x8c52_f662)),
        Vector(rounds: 7, counter: SIMD4(0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344),
               key: SIMD2(0xa409_3822, 0x299f_31d0),
               expected: SIMD4(0x4dfc_caba, 0x190a_87f0, 0xc473_62ba, 0xb6b5_242a)),
        Vector(rounds: 10, counter: SIMD4(0, 0, 0, 0), key: SIMD2(0, 0),
               expected: SIMD4(0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8)),
        Vector(rounds: 10, counter: SIMD4(repeating: .max), key: SIMD2(repeating: .max),
               expected: SIMD4(0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd)),
        Vector(rounds: 10, counter: SIMD4(0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344),
               key: SIMD2(0xa409_3822, 0x299f_31d0),
               expected: SIMD4(0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1)),
    ]

    @Test("Random123 known answers", arguments: random123)
    func knownAnswer(_ v: Vector) {
        #expect(Philox4x32.block(counter: v.counter, key: v.key, rounds: v.rounds) == v.expected)
    }

    @Test func defaultIsTenRounds() {
        let c = SIMD4<UInt32>(0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344)
        let k = SIMD2<UInt32>(0xa409_3822, 0x299f_31d0)
        #expect(Philox4x32.block(counter: c, key: k) == Philox4x32.block(counter: c, key: k, rounds: 10))
    }

    @Test func incrementCarriesFromWordZero() {
        #expect(Philox4x32.increment(SIMD4(0, 0, 0, 0)) == SIMD4(1, 0, 0, 0))
        #expect(Philox4x32.increment(SIMD4(.max, 0, 0, 0)) == SIMD4(0, 1, 0, 0))
        #expect(Philox4x32.increment(SIMD4(.max, .max, .max, 7)) == SIMD4(0, 0, 0, 8))
        #expect(Philox4x32.increment(SIMD4(repeating: .max)) == SIMD4(0, 0, 0, 0))
    }
}
