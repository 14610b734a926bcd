/// The Philox4x32 counter-based block function from Random123 (Salmon, Moraes, Dror and Shaw,
/// "Parallel Random Numbers: As Easy as 1, 2, 3", SC11, 2011).
///
/// Philox is a keyed bijection on 128-bit counters: `block(counter:key:)` maps a 128-bit counter
/// and a 64-bit key to 128 random-looking bits. A stream is the sequence of blocks for counters
/// 0, 1, 2, … under one key. It keeps no state of its own, so any block of any stream can be
/// computed directly, on any machine, in any order, with identical results: only 32-bit integer
/// multiplication, XOR and wrapping addition are involved.
///
/// One round maps `(x0, x1, x2, x3)` with key `(k0, k1)` to
/// `(hi(M1·x2) ^ x1 ^ k0, lo(M1·x2), hi(M0·x0) ^ x3 ^ k1, lo(M0·x0))`, where `hi`/`lo` are the
/// upper and lower 32 bits of the 64-bit product, `M0 = 0xD2511F53` and `M1 = 0xCD9E8D57`.
/// Between rounds the key is bumped by the Weyl constants `(0x9E3779B9, 0xBB67AE85)`, wrapping.
/// Philox4x32-10 (ten rounds, the default) is the variant Random123 recommends; it passes
/// TestU01's BigCrush. ``SeededGenerator`` is built on it.
///
/// ```swift
/// let out = Philox4x32.block(counter: SIMD4(0, 0, 0, 0), key: SIMD2(0, 0))
/// // out == SIMD4(0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8)  (Random123 kat_vectors)
/// ```
public enum Philox4x32 {
    /// The first round multiplier, applied to counter word 0: `0xD2511F53`.
    public static let multiplier0: UInt32 = 0xD251_1F53
    /// The second round multiplier, applied to counter word 2: `0xCD9E8D57`.
    public static let multiplier1: UInt32 = 0xCD9E_8D57
    /// The Weyl increment added to key word 0 between rounds: `0x9E3779B9` (golden ratio).
    public static let weyl0: UInt32 = 0x9E37_79B9
    /// The Weyl increment added to key word 1 between rounds: `0xBB67AE85` (√3 − 1).
    public static let weyl1: UInt32 = 0xBB67_AE85
    /// The number of rounds of Philox4x32-10.
    public static let defaultRounds = 10

    /// Computes one Philox4x32 block: 128 output bits for a 128-bit counter under a 64-bit key.
    ///
    /// Word order follows Random123: `counter[0]` is the first word of its `ctr` array (the least
    /// significant word when the counter is incremented) and `key[0]` the first word of `key`.
    /// The result is a pure function of its arguments.
    ///
    /// - Parameters:
    ///   - counter: the four 32-bit counter words.
    ///   - key: the two 32-bit key words.
    ///   - rounds: the number of rounds; 10 for Philox4x32-10. Must be at least 1.
    /// - Returns: the four 32-bit output words.
    /// - Complexity: O(`rounds`).
    @inlinable
    public static func block(
        counter: SIMD4<UInt32>, key: SIMD2<UInt32>, rounds: Int = defaultRounds
    ) -> SIMD4<UInt32> {
        precondition(rounds >= 1, "Philox needs at least one round")
        var x0 = counter[0], x1 = counter[1], x2 = counter[2], x3 = counter[3]
        var k0 = key[0], k1 = key[1]
        for r in 0..<rounds {
            if r > 0 {
                k0 &+= weyl0
                k1 &+= weyl1
            }
            let p0 = multiplier0.multipliedFullWidth(by: x0)
            let p1 = multiplier1.multipliedFullWidth(by: x2)
            let y0 = p1.high ^ x1 ^ k0
            let y1 = p1.low
            let y2 = p0.high ^ x3 ^ k1
            let y3 = p0.low
            x0 = y0; x1 = y1; x2 = y2; x3 = y3
        }
        return SIMD4(x0, x1, x2, x3)
    }

    /// Adds one to a 128-bit counter whose word 0 is the least significant, wrapping at 2¹²⁸
    /// (Random123's `ctr.incr()`).
    @inlinable
    public static func increment(_ counter: SIMD4<UInt32>) -> SIMD4<UInt32> {
        var c = counter
        for i in 0..<4 {
            c[i] &+= 1
            if c[i] != 0 { break }
        }
        return c
    }
}
