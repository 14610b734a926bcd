import AssayNumerics

/// Single-precision `exp`, `sigmoid`, `tanh` and `log` that give the same bits on every machine
/// and in debug and release builds.
///
/// `exp` is Cephes' `expf` algorithm in plain IEEE float arithmetic, evaluated eight lanes at a
/// time with each lane doing exactly the scalar operations (no fused multiply-add, no table, no
/// platform libm): `n = round(x·log₂e)` by the `1.5·2²³` trick, `r = (x − n·C₁) − n·C₂`
/// (Cody–Waite, `C₁ = 0.693359375` exact in a few bits), a degree-7 polynomial for `eʳ`, and
/// the scaling by `2ⁿ` done as two exact powers of two so subnormal results round once. The
/// relative error is below 2 ulp (Cephes reports 1.7e-7 peak). `tanh` and `log` go through
/// ``DeterministicMath`` in Double and round once to float (errors below 1 ulp).
enum FloatElementary {
    private static let log2e: Float = 1.44269504088896341
    private static let c1: Float = 0.693359375
    private static let c2: Float = -2.12194440e-4
    private static let roundMagic: Float = 12_582_912  // 1.5·2²³

    /// `eˣ` in each lane. NaN gives NaN; `x > 88.72` gives +∞; `x < −103.97` gives 0.
    @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // Clamp so n stays in [−150, 129]; NaN compares false and passes through.
        var xc = x.replacing(with: 89, where: x .> 89)
        xc.replace(with: -104, where: xc .< -104)
        let t = xc * log2e + roundMagic
        let n = t - roundMagic  // round-to-nearest-even of x·log₂e, exact
        let r = (xc - n * c1) - n * c2
        let z = r * r
        var p = SIMD8<Float>(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let y = (p * z + r) + 1
        // 2ⁿ = 2^(n>>1) · 2^(n − n>>1); both factors are normal floats.
        let bits = unsafeBitCast(t, to: SIMD8<Int32>.self) &- unsafeBitCast(SIMD8<Float>(repeating: roundMagic), to: SIMD8<Int32>.self)
        let n1 = bits &>> 1
        let n2 = bits &- n1
        let s1 = unsafeBitCast((n1 &+ 127) &<< 23, to: SIMD8<Float>.self)
        let s2 = unsafeBitCast((n2 &+ 127) &<< 23, to: SIMD8<Float>.self)
        var result = (y * s1) * s2
        result.replace(with: .infinity, where: x .> 88.72283935546875)
        result.replace(with: 0, where: x .< -103.972084045410)
        return result.replacing(with: x, where: x .!= x)
    }

    /// `eˣ` for one float: lane 0 of ``exp(_:)-swift.type.method`` (same bits).
    @inline(__always)
    static func exp(_ x: Float) -> Float { exp(SIMD8<Float>(repeating: x))[0] }

    /// `1 / (1 + e⁻ˣ)` in each lane, with ``exp(_:)-swift.type.method``.
    @inline(__always)
    static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> {
        1 / (1 + exp(-x))
    }

    /// `tanh x`: `(e²ˣ − 1)/(e²ˣ + 1)` in Double with ``DeterministicMath/exp(_:)`` for
    /// `2⁻¹³ ≤ |x| < 9.1` (where float tanh is not yet ±1), `x` below, `±1` above.
    static func tanh(_ x: Float) -> Float {
        let a = abs(x)
        if !(a >= 0x1p-13) { return x }  // small, ±0 and NaN
        if a >= 9.1 { return x < 0 ? -1 : 1 }
        let e = DeterministicMath.exp(2 * Double(a))
        let t = Float((e - 1) / (e + 1))
        return x < 0 ? -t : t
    }

    /// `ln x` via ``DeterministicMath/log(_:)``, rounded once to float.
    static func log(_ x: Float) -> Float { Float(DeterministicMath.log(Double(x))) }
}
