import AssayNumerics
import Testing

/// Exact pinned outputs of ``SeededGenerator`` for seed 42. A change to any of these changes
/// every recorded output in every workspace: it needs a new derivation version, not a new pin.
/// The same values are produced independently by `scripts/fixtures/numerics_rng.py`
/// (checked in `SeededGeneratorFixtureTests`). Each list starts from a fresh generator.
struct SeededGeneratorPinnedTests {
    struct Pin: Sendable, CustomTestStringConvertible {
        let path: [String]
        let key: SIMD2<UInt32>
        let next64: [UInt64]
        let uniformBits: [UInt64]
        let normalBits: [UInt64]
        let below10: [UInt64]
        let shuffle: [Int]
        let sample: [Int]
        var testDescription: String { "seed 42 path \(path)" }
    }

    static let pins: [Pin] = [
        Pin(
            path: [],
            key: SIMD2(0x7c32_01b5, 0x6dd8_6d23),
            next64: [
                0xb033_c2cd_209d_cb20, 0x80a8_e210_f3f8_57f9, 0xa689_ff08_370b_7a58,
                0x87c5_8303_701b_7f7c, 0xb53a_fbc7_22d5_bf59, 0xe0d2_1841_e814_1abb,
                0x3a5b_5959_6519_076c, 0xe7f1_8857_6c08_a799,
            ],
            uniformBits: [
                0x3fe6_0678_59a4_13b9, 0x3fe0_151c_421e_7f0a, 0x3fe4_d13f_e106_e16f,
                0x3fe0_f8b0_606e_036f, 0x3fe6_a75f_78e4_5ab7, 0x3fec_1a43_083d_0283,
                0x3fcd_2dac_acb2_8c80, 0x3fec_fe31_0aed_8114,
            ],
            normalBits: [
                0x3fff_9e8c_021b_66ac, 0x3f9b_b217_a21c_7e96, 0x4001_0a64_034c_1787,
                0x3fdb_7d87_1174_bdcc, 0x3fd7_a729_9f5b_764b, 0x3fe5_82dc_a817_4bb2,
                0xbfc5_8145_3865_8827, 0x3fd0_0c59_9116_b1e3,
            ],
            below10: [6, 5, 6, 5, 7, 8, 2, 9, 9, 2, 5, 4, 8, 7, 9, 3, 4, 4, 4, 2],
            shuffle: [9, 1, 2, 0, 7, 8, 3, 5, 4, 6],
            sample: [68, 50, 65, 54, 71]),
        Pin(
            path: ["a"],
            key: SIMD2(0x6398_a0c7, 0x9f02_de57),
            next64: [
                0x6cd4_0333_4112_9440, 0xc7bf_f150_07bf_77e2, 0x4bd4_804e_94de_36e4,
                0xac69_b4d8_e807_f2c5, 0x1e46_2c05_6cdc_6ab8, 0xea03_f7aa_8198_567c,
                0x290e_cfae_831a_628c, 0xd3dc_67e6_6d82_9861,
            ],
            uniformBits: [
                0x3fdb_3500_ccd0_44a4, 0x3fe8_f7fe_2a00_f7ee, 0x3fd2_f520_13a5_378c,
                0x3fe5_8d36_9b1d_00fe, 0x3fbe_462c_056c_dc68, 0x3fed_407e_f550_330a,
                0x3fc4_8767_d741_8d30, 0x3fea_7b8c_fccd_b053,
            ],
            normalBits: [
                0xbfd8_611c_6cac_e468, 0x3ff6_cf46_970c_7a47, 0xbff3_4356_9776_83bc,
                0x3ff0_661c_7348_6f10, 0xbfd6_2c7c_6810_3adc, 0x3fd5_6350_7809_ab5a,
                0x4000_3277_7355_bc23, 0x3fd6_5271_6792_e77d,
            ],
            below10: [4, 7, 2, 6, 1, 9, 1, 8, 0, 7, 6, 5, 1, 0, 4, 5, 5, 2, 2, 5],
            shuffle: [1, 3, 8, 5, 6, 0, 9, 2, 7, 4],
            sample: [42, 78, 31, 68, 15]),
        Pin(
            path: ["a", "b"],
            key: SIMD2(0x76da_2e66, 0xd249_21eb),
            next64: [
                0x4c83_f658_cb67_fa0c, 0x020d_0520_0826_8452, 0x8898_c9b5_d2eb_d6de,
                0x204a_3a09_5771_1f46, 0xa094_3e6d_ea37_a744, 0x1f2c_dbe5_7f19_eee0,
                0x5124_f4a5_f19b_0c66, 0x43df_f672_2582_aeb3,
            ],
            uniformBits: [
                0x3fd3_20fd_9632_d9fe, 0x3f80_6829_0041_3400, 0x3fe1_1319_36ba_5d7a,
                0x3fc0_251d_04ab_b88c, 0x3fe4_1287_cdbd_46f4, 0x3fbf_2cdb_e57f_19e8,
                0x3fd4_493d_297c_66c2, 0x3fd0_f7fd_9c89_60aa,
            ],
            normalBits: [
                0x3fb8_866f_278f_4076, 0xbff1_10af_3e0a_d09a, 0x3fd3_6258_e047_c597,
                0xbfec_ce07_6866_4093, 0xbfec_529d_c6cc_e521, 0xbff2_2bfe_8d6d_4611,
                0x3fe6_45db_1e2e_6ce3, 0x3fe3_b16c_23c8_ba51,
            ],
            below10: [2, 0, 5, 1, 6, 1, 3, 2, 0, 9, 8, 7, 1, 9, 2, 5, 4, 5, 1, 6],
            shuffle: [5, 9, 7, 1, 6, 3, 8, 4, 0, 2],
            sample: [29, 1, 54, 15, 64]),
    ]

    /// The generator for a pin, reached through `child(_:)` from the root.
    static func generator(_ pin: Pin) -> SeededGenerator {
        var g = SeededGenerator(seed: 42)
        for component in pin.path { g = g.child(component) }
        return g
    }

    @Test("derived key", arguments: pins)
    func key(_ pin: Pin) {
        #expect(Self.generator(pin).key == pin.key)
        #expect(SeededGenerator(seed: 42, path: pin.path).key == pin.key)
    }

    @Test("next64", arguments: pins)
    func next64(_ pin: Pin) {
        var g = Self.generator(pin)
        #expect((0..<8).map { _ in g.next64() } == pin.next64)
    }

    @Test("uniform bit patterns", arguments: pins)
    func uniform(_ pin: Pin) {
        var g = Self.generator(pin)
        #expect((0..<8).map { _ in g.uniform().bitPattern } == pin.uniformBits)
    }

    @Test("normal bit patterns", arguments: pins)
    func normal(_ pin: Pin) {
        var g = Self.generator(pin)
        #expect((0..<8).map { _ in g.normal().bitPattern } == pin.normalBits)
    }

    @Test("int(below: 10) x 20", arguments: pins)
    func intBelow10(_ pin: Pin) {
        var g = Self.generator(pin)
        #expect((0..<20).map { _ in g.int(below: 10) } == pin.below10)
    }

    @Test("shuffle of 0..<10", arguments: pins)
    func shuffle(_ pin: Pin) {
        var g = Self.generator(pin)
        var a = Array(0..<10)
        g.shuffle(&a)
        #expect(a == pin.shuffle)
    }

    @Test("sample(k: 5, of: 100)", arguments: pins)
    func sample(_ pin: Pin) {
        var g = Self.generator(pin)
        #expect(g.sample(k: 5, of: 100) == pin.sample)
    }

    /// A fingerprint of 20 000 `next64()` values (10 000 blocks) of seed 42, path ["digest"],
    /// so that a change anywhere in a long stream shows. The fixture script computes it too.
    @Test func longStreamFingerprint() {
        var g = SeededGenerator(seed: 42).child("digest")
        var h = FNV1a()
        for _ in 0..<20_000 { h.add(bigEndian: g.next64()) }
        #expect(h.value == 0xa918_b030_090f_1969)
    }

    /// A fingerprint of 10 000 `normal()` bit patterns of seed 42, path ["normal"]. Pinned from
    /// this implementation only (Python's normals use the platform log), so it guards the
    /// normal method and ``DeterministicMath/log(_:)`` against any change, on any machine.
    @Test func normalStreamFingerprint() {
        var g = SeededGenerator(seed: 42).child("normal")
        var h = FNV1a()
        for _ in 0..<10_000 { h.add(bigEndian: g.normal().bitPattern) }
        #expect(h.value == 0x626b_2fb4_0296_21b3)
    }
}
