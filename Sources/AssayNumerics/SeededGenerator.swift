import AssayCrypto

/// Assay's only source of randomness: a seeded, splittable, reproducible stream of random bits.
///
/// ## Why Philox
///
/// The generator is Random123's ``Philox4x32``-10, a *counter-based* generator: the n-th block
/// of a stream is `Philox(counter: n, key: k)`, a pure function of two integers. That buys what
/// Assay's determinism rule needs:
///
/// - **Reproducible across machines.** Only 32-bit integer multiplication, XOR and addition are
///   used, so every platform, compiler and build mode produces the same bits. It is published
///   with known-answer vectors (Random123's `kat_vectors`), which the tests check.
/// - **Splittable by key.** Independent streams come from different keys, not from carving up one
///   sequence, so each component gets its own stream named by a stable path (``child(_:)``) and
///   adding a draw in one component never shifts another's.
/// - **Parallel-friendly.** Any block can be computed without the ones before it, and a stream's
///   state is a few words, cheap to copy into a worker.
/// - **Good statistics.** Philox4x32-10 passes TestU01's BigCrush; one key's stream runs 2¹²⁸
///   blocks before the counter wraps.
///
/// ## Derivation (version 1, frozen: changing it changes every recorded output)
///
/// A generator is named by a 64-bit `seed` and a `path` of strings (the root has an empty path).
/// Its Philox key is the first 8 bytes of
///
///     SHA-256( "assay.rng.v1" 0x00
///              || seed as 8 bytes big-endian
///              || for each path component c: len(c) as 8 bytes big-endian || UTF-8 bytes of c )
///
/// read as two big-endian 32-bit words: `key[0]` = bytes 0–3, `key[1]` = bytes 4–7. `len(c)` is
/// the number of UTF-8 bytes; the length prefix keeps `["a", "b"]` and `["ab"]` apart and allows
/// any string, including ones with NUL. Strings are hashed as their UTF-8 bytes exactly, without
/// Unicode normalization (prefer ASCII keys such as `"detector.ks"`). The counter starts at 0 and
/// is incremented as a 128-bit integer (word 0 least significant) after each block.
///
/// ## Consuming bits
///
/// Each block yields four 32-bit words, handed out in order `out[0]`, `out[1]`, `out[2]`,
/// `out[3]` by ``next32()``; a new block is computed when they run out. ``next64()`` takes two
/// words, the first drawn as the high half. Everything else (``uniform()``, ``normal()``,
/// ``int(below:)``, ``shuffle(_:)``, ``sample(k:of:)``) is defined on top of these in this module,
/// with exact algorithms documented on each method, and reimplemented independently in
/// `scripts/fixtures/numerics_rng.py` to cross-check the tests' pinned values.
///
/// ## Value semantics
///
/// A copy continues from the same position as the original and then the two evolve
/// independently: copying replays. ``child(_:)`` depends only on the seed and path, never on how
/// many values were drawn.
///
/// ## RandomNumberGenerator
///
/// The type conforms to `RandomNumberGenerator` (``next()`` is ``next64()``) so it can be handed
/// to code that wants one. Do **not** use the standard library's algorithms on it —
/// `Int.random(in:using:)`, `Double.random(in:using:)`, `shuffled(using:)`,
/// `randomElement(using:)` — for anything recorded or hashed: their algorithms are not
/// specified and may change between Swift versions. Use this type's own methods.
///
/// ```swift
/// var rng = SeededGenerator(seed: 42).child("detector.ks")
/// let u = rng.uniform()            // in [0, 1)
/// let i = rng.int(below: 10)       // in 0..<10, unbiased
/// ```
public struct SeededGenerator: Sendable, RandomNumberGenerator {
    /// The domain-separation tag that starts every key derivation, `"assay.rng.v1"` then a NUL.
    public static let derivationTag: [UInt8] = Array("assay.rng.v1".utf8) + [0]

    /// The 64-bit seed this generator (and all its ancestors) was made from.
    public let seed: UInt64
    /// The path of child keys from the root generator to this one; empty for the root.
    public let path: [String]
    /// The Philox4x32 key derived from ``seed`` and ``path`` (see the type's documentation).
    public let key: SIMD2<UInt32>

    /// The counter of the next block to compute.
    private var counter: SIMD4<UInt32> = SIMD4(0, 0, 0, 0)
    /// The current block's output words.
    private var buffer: SIMD4<UInt32> = SIMD4(0, 0, 0, 0)
    /// How many words of `buffer` have been handed out; 4 means a new block is needed.
    private var used = 4
    /// The second value of the last Marsaglia polar pair, returned by the next ``normal()``.
    /// Internal so that `SeededGenerator+Distributions.swift` can use it.
    internal var spareNormal: Double?

    /// Makes the root generator for `seed` (an empty path).
    public init(seed: UInt64) {
        self.init(seed: seed, path: [])
    }

    /// Makes the generator named by `seed` and `path`; equal to applying ``child(_:)`` to the
    /// root generator once per path component, in order.
    ///
    /// - Note: Traps only if libcrypto cannot run SHA-256 at all (an allocation failure inside
    ///   OpenSSL); no argument value can cause that.
    public init(seed: UInt64, path: [String]) {
        self.seed = seed
        self.path = path
        self.key = Self.deriveKey(seed: seed, path: path)
    }

    /// Returns an independent generator for the component named `key`, whose path is this
    /// generator's path followed by `key`.
    ///
    /// The child depends only on ``seed``, ``path`` and `key` (see the derivation in the type's
    /// documentation), not on how much of this stream was consumed; it starts at counter 0.
    /// Different keys give unrelated streams; the same key always gives the same stream.
    public func child(_ key: String) -> SeededGenerator {
        SeededGenerator(seed: seed, path: path + [key])
    }

    /// The bytes hashed to derive the key for `seed` and `path` (see the type's documentation).
    public static func derivationInput(seed: UInt64, path: [String]) -> [UInt8] {
        var bytes = derivationTag
        appendBigEndian(seed, to: &bytes)
        for component in path {
            let utf8 = Array(component.utf8)
            appendBigEndian(UInt64(utf8.count), to: &bytes)
            bytes.append(contentsOf: utf8)
        }
        return bytes
    }

    private static func deriveKey(seed: UInt64, path: [String]) -> SIMD2<UInt32> {
        let digest: [UInt8]
        do {
            digest = try SHA256.hash(derivationInput(seed: seed, path: path)).bytes
        } catch {
            // Only reachable if OpenSSL cannot allocate a digest context: an environment
            // failure, not something input can cause.
            fatalError("SeededGenerator: SHA-256 unavailable: \(error)")
        }
        func word(_ i: Int) -> UInt32 {
            UInt32(digest[i]) << 24 | UInt32(digest[i + 1]) << 16
                | UInt32(digest[i + 2]) << 8 | UInt32(digest[i + 3])
        }
        return SIMD2(word(0), word(4))
    }

    private static func appendBigEndian(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    /// Returns the next 32 random bits: the next word of the current Philox block.
    public mutating func next32() -> UInt32 {
        if used == 4 {
            buffer = Philox4x32.block(counter: counter, key: key)
            counter = Philox4x32.increment(counter)
            used = 0
        }
        let word = buffer[used]
        used += 1
        return word
    }

    /// Returns the next 64 random bits: two ``next32()`` words, the first as the high half.
    public mutating func next64() -> UInt64 {
        let high = UInt64(next32())
        let low = UInt64(next32())
        return high << 32 | low
    }

    /// `RandomNumberGenerator` conformance; the same as ``next64()``.
    ///
    /// Don't pass this generator to the standard library's random algorithms for anything
    /// recorded: see "RandomNumberGenerator" in the type's documentation.
    public mutating func next() -> UInt64 {
        next64()
    }
}
