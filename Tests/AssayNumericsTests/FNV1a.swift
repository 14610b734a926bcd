/// 64-bit FNV-1a, to fingerprint long output streams in a few characters. Not cryptographic;
/// it only has to change when an output changes. `scripts/fixtures/numerics_rng.py` has the
/// same function.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    /// Adds the 8 bytes of `x`, most significant first.
    mutating func add(bigEndian x: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) {
            add(UInt8(truncatingIfNeeded: x >> UInt64(shift)))
        }
    }
}
