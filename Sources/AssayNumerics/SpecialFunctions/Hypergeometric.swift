/// The hypergeometric distribution: the number of successes in `draws` draws without
/// replacement from a population of `population` items of which `successes` are successes.
///
/// Parameters follow `scipy.stats.hypergeom(M, n, N)`: `M = population`, `n = successes`,
/// `N = draws`. The support is `max(0, N − (M − n)) … min(n, N)`.
///
/// SciPy 1.17 evaluates these with Boost.Math (`hypergeometric_distribution` in double
/// precision), and so does this type, step for step: the probability mass from a table of
/// correctly rounded factorials when `M ≤ 170`, from the prime factorisation of the ratio of
/// factorials when `M ≤ 104723` (every prime power is an exact integer, so each step rounds as
/// Boost's does), and from the Lanczos approximation above that; the distribution function by
/// summing the mass recursively away from the mode until terms fall below `2⁻⁵²` of the sum
/// (of 1 when the complement is wanted). Results agree with SciPy bit for bit in the first two
/// regimes (checked on `special_hypergeom.json`); in the Lanczos regime to about 1e-14 relative
/// (SciPy's `pow` there is the platform libm's).
///
/// Invalid parameters (negative, `successes > population`, `draws > population`, or
/// `population ≥ 2³¹`) give NaN, as SciPy's `badvalue`.
public enum Hypergeometric {
    /// The probability mass `P(X = k)`, as `scipy.stats.hypergeom.pmf(k, M, n, N)`: 0 outside
    /// the support, otherwise Boost's `pdf` clipped to `[0, 1]`.
    public static func pmf(_ k: Int, population: Int, successes: Int, draws: Int) -> Double {
        guard let support = support(population: population, successes: successes, draws: draws)
        else { return .nan }
        if k < support.lowerBound || k > support.upperBound { return 0 }
        let value = BoostHypergeometric.pdf(
            x: k, r: successes, n: draws, total: population)
        return min(max(value, 0), 1)
    }

    /// The distribution function `P(X ≤ k)`, as `scipy.stats.hypergeom.cdf(k, M, n, N)`:
    /// 0 below the support, exactly 1 at or above its upper end, otherwise Boost's `cdf`
    /// clipped to `[0, 1]`.
    public static func cdf(_ k: Int, population: Int, successes: Int, draws: Int) -> Double {
        guard let support = support(population: population, successes: successes, draws: draws)
        else { return .nan }
        if k >= support.upperBound { return 1 }
        if k < support.lowerBound { return 0 }
        let value = BoostHypergeometric.cdf(
            x: k, r: successes, n: draws, total: population, complement: false)
        return min(max(value, 0), 1)
    }

    /// The survival function `P(X > k)`, as `scipy.stats.hypergeom.sf(k, M, n, N)`: exactly 1
    /// below the support, 0 at or above its upper end, otherwise Boost's complemented `cdf`
    /// clipped to `[0, 1]`.
    public static func sf(_ k: Int, population: Int, successes: Int, draws: Int) -> Double {
        guard let support = support(population: population, successes: successes, draws: draws)
        else { return .nan }
        if k < support.lowerBound { return 1 }
        if k >= support.upperBound { return 0 }
        let value = BoostHypergeometric.cdf(
            x: k, r: successes, n: draws, total: population, complement: true)
        return min(max(value, 0), 1)
    }

    /// The support `max(0, N − (M − n)) … min(n, N)`, or nil for invalid parameters.
    static func support(population: Int, successes: Int, draws: Int) -> ClosedRange<Int>? {
        guard population >= 0, successes >= 0, draws >= 0, successes <= population,
            draws <= population, population < Int(Int32.max)
        else { return nil }
        return max(0, draws - (population - successes))...min(successes, draws)
    }
}

/// Boost.Math's hypergeometric pdf and cdf in double precision (`detail/hypergeometric_pdf.hpp`,
/// `detail/hypergeometric_cdf.hpp`), in Boost's parameter names: `x` successes drawn, `r`
/// successes in the population, `n` draws, `total` the population size. Callers check the
/// support first.
enum BoostHypergeometric {
    // MARK: pdf

    static func pdf(x: Int, r: Int, n: Int, total: Int) -> Double {
        if total <= 170 {
            return pdfFactorial(x: x, r: r, n: n, total: total)
        } else if total <= 104_723 {
            return pdfPrime(x: x, r: r, n: n, total: total)
        } else {
            return pdfLanczos(x: x, r: r, n: n, total: total)
        }
    }

    /// `k!` for `k ≤ 170`, each correctly rounded (Boost's `unchecked_factorial<double>` table),
    /// computed once from exact big-integer products.
    static let factorials: [Double] = {
        var table = [Double](repeating: 1, count: 171)
        var limbs: [UInt32] = [1]  // little-endian base 2³²
        for k in 1...170 {
            var carry: UInt64 = 0
            for index in limbs.indices {
                let product = UInt64(limbs[index]) * UInt64(k) + carry
                limbs[index] = UInt32(truncatingIfNeeded: product)
                carry = product >> 32
            }
            if carry > 0 { limbs.append(UInt32(carry)) }
            table[k] = correctlyRounded(limbs)
        }
        return table
    }()

    /// The big integer `limbs` (little-endian base 2³²) rounded to the nearest double, ties to
    /// even.
    static func correctlyRounded(_ limbs: [UInt32]) -> Double {
        var top = limbs.count - 1
        while top > 0 && limbs[top] == 0 { top -= 1 }
        let bitLength = top * 32 + (32 - limbs[top].leadingZeroBitCount)
        if bitLength <= 64 {
            var value: UInt64 = 0
            for index in stride(from: top, through: 0, by: -1) {
                value = value << 32 | UInt64(limbs[index])
            }
            if bitLength <= 53 { return Double(value) }
        }
        // The leading 64 bits, and whether any bit below them is set.
        func bit(_ position: Int) -> UInt64 {
            UInt64((limbs[position / 32] >> UInt32(position % 32)) & 1)
        }
        var leading: UInt64 = 0
        for position in stride(from: bitLength - 1, through: max(bitLength - 64, 0), by: -1) {
            leading = leading << 1 | bit(position)
        }
        var sticky = false
        if bitLength > 64 {
            for position in 0..<(bitLength - 64) where bit(position) == 1 {
                sticky = true
                break
            }
        }
        let shift = bitLength >= 64 ? 64 : bitLength
        // Keep 53 bits; the rest decide the rounding.
        let dropped = shift - 53
        var mantissa = leading >> UInt64(dropped)
        let rest = leading & ((1 << UInt64(dropped)) - 1)
        let half: UInt64 = 1 << UInt64(dropped - 1)
        if rest > half || (rest == half && (sticky || mantissa & 1 == 1)) {
            mantissa += 1
        }
        return Double(sign: .plus, exponent: bitLength - 53, significand: Double(mantissa))
    }

    private static func pdfFactorial(x: Int, r: Int, n: Int, total: Int) -> Double {
        let f = factorials
        var result = f[n]
        let numerators = [f[r], f[total - n], f[total - r]]
        let denominators = [f[total], f[x], f[n - x], f[r - x], f[total - n - r + x]]
        var i = 0
        var j = 0
        while i < 3 || j < 5 {
            while j < 5 && (result >= 1 || i >= 3) {
                result /= denominators[j]
                j += 1
            }
            while i < 3 && (result <= 1 || j >= 5) {
                result *= numerators[i]
                i += 1
            }
        }
        return result
    }

    /// The primes up to 104723, the largest that SciPy 1.17's Boost uses
    /// (`prime(max_prime − 1)`; the prime method covers populations up to it).
    static let primes: [Int] = {
        let limit = 104_723
        var composite = [Bool](repeating: false, count: limit + 1)
        var result: [Int] = []
        result.reserveCapacity(9_999)
        for candidate in 2...limit where !composite[candidate] {
            result.append(candidate)
            var multiple = candidate * candidate
            while multiple <= limit {
                composite[multiple] = true
                multiple += candidate
            }
        }
        return result
    }()

    /// `p^e` as Boost's `integer_power`: exact for the exponents that occur here (every
    /// `p^|e|` is an integer below 2⁵³), a reciprocal for negative `e`.
    private static func integerPower(_ p: Int, _ e: Int) -> Double {
        if e < 0 { return 1 / integerPower(p, -e) }
        var value = 1
        for _ in 0..<e {
            let (product, overflow) = value.multipliedReportingOverflow(by: p)
            if overflow || product > 1 << 53 {
                return ElementaryFunctions.pow(Double(p), Double(e))
            }
            value = product
        }
        return Double(value)
    }

    private static func pdfPrime(x: Int, r: Int, n: Int, total: Int) -> Double {
        // Partial products, as Boost's linked list of recursion frames: the last is current.
        var partials: [Double] = [1]
        for p in primes {
            if p > total { break }
            var base = p
            var power = 0
            while base <= total {
                power += n / base
                power += r / base
                power += (total - n) / base
                power += (total - r) / base
                power -= total / base
                power -= x / base
                power -= (n - x) / base
                power -= (r - x) / base
                power -= (total - n - r + x) / base
                base *= p
            }
            if power != 0 {
                let value = integerPower(p, power)
                let current = partials[partials.count - 1]
                if value > 1 && Double.greatestFiniteMagnitude / value < current {
                    partials.append(value)
                    continue
                }
                if value < 1 && Double.leastNormalMagnitude / value > current {
                    partials.append(value)
                    continue
                }
                partials[partials.count - 1] = current * value
            }
        }
        // Multiply the partial results, newest first, alternating between those ≥ 1 and those
        // < 1 so that the running product neither overflows nor underflows.
        var i = partials.count - 1
        while i >= 0 && partials[i] < 1 { i -= 1 }
        var j = partials.count - 1
        while j >= 0 && partials[j] >= 1 { j -= 1 }
        var product = 1.0
        while i >= 0 || j >= 0 {
            while i >= 0 && (product <= 1 || j < 0) {
                product *= partials[i]
                i -= 1
                while i >= 0 && partials[i] < 1 { i -= 1 }
            }
            while j >= 0 && (product >= 1 || i < 0) {
                product *= partials[j]
                j -= 1
                while j >= 0 && partials[j] >= 1 { j -= 1 }
            }
        }
        return product
    }

    private static func pdfLanczos(x: Int, r: Int, n: Int, total: Int) -> Double {
        let g = SpecialFunctions.lanczosG
        func base(_ k: Int) -> Double { Double(k) + g + 0.5 }
        var bases: [Double] = [
            base(n), base(r), base(total - n), base(total - r),
            1 / base(total), 1 / base(x), 1 / base(n - x), 1 / base(r - x),
            1 / base(total - n - r + x),
        ]
        // Boost writes `n + 0.5f`: an unsigned plus a float, evaluated in single precision.
        func exponent(_ k: Int) -> Double { Double(Float(k) + Float(0.5)) }
        var exponents: [Double] = [
            exponent(n), exponent(r), exponent(total - n), exponent(total - r),
            exponent(total), exponent(x), exponent(n - x), exponent(r - x),
            exponent(total - n - r + x),
        ]
        var eFactors = [-1, -1, -1, -1, 1, 1, 1, 1, 1]
        // Indexes by exponent, descending; insertion sort is stable, as libstdc++'s std::sort
        // is on nine elements.
        var order = Array(0..<9)
        for index in 1..<9 {
            let value = order[index]
            var position = index
            while position > 0 && exponents[value] > exponents[order[position - 1]] {
                order[position] = order[position - 1]
                position -= 1
            }
            order[position] = value
        }
        /// Boost's `bubble_down_one`: moves `order[start]` towards the end while it is not
        /// strictly greater than its successor.
        func bubbleDown(from start: Int) {
            var first = start
            var next = first + 1
            while next < 9 && !(exponents[order[first]] > exponents[order[next]]) {
                order.swapAt(first, next)
                first += 1
                next += 1
            }
        }
        repeat {
            exponents[order[0]] -= exponents[order[1]]
            bases[order[1]] *= bases[order[0]]
            eFactors[order[1]] += eFactors[order[0]]
            bubbleDown(from: 0)
        } while exponents[order[1]] > 1
        // Combine equal powers.
        var j = 8
        while exponents[order[j]] == 0 { j -= 1 }
        while j != 0 {
            while j != 0 && exponents[order[j - 1]] == exponents[order[j]] {
                bases[order[j - 1]] *= bases[order[j]]
                exponents[order[j]] = 0
                eFactors[order[j - 1]] += eFactors[order[j]]
                bubbleDown(from: j)
                j -= 1
            }
            j -= 1
        }
        func scaledBase(_ index: Int) -> Double {
            bases[index] * DeterministicMath.exp(Double(eFactors[index]))
        }
        var result = ElementaryFunctions.pow(scaledBase(order[0]), exponents[order[0]])
        var i = 1
        while i < 9 && exponents[order[i]] > 0 {
            let exponent = exponents[order[i]]
            if exponent == 1 {
                result *= scaledBase(order[i])
            } else if exponent == 0.5 {
                result *= scaledBase(order[i]).squareRoot()
            } else {
                result *= ElementaryFunctions.pow(scaledBase(order[i]), exponent)
            }
            i += 1
        }
        let sum = SpecialFunctions.lanczosSumExpGScaled
        result *= sum(Double(n + 1)) * sum(Double(r + 1)) * sum(Double(total - n + 1))
            * sum(Double(total - r + 1))
            / (sum(Double(total + 1)) * sum(Double(x + 1)) * sum(Double(n - x + 1))
                * sum(Double(r - x + 1)) * sum(Double(total - n - r + x + 1)))
        return result
    }

    // MARK: cdf

    /// `P(X ≤ x)`, or `P(X > x)` when `complement` (Boost's `hypergeometric_cdf_imp`), clamped
    /// to `[0, 1]`.
    static func cdf(x xIn: Int, r: Int, n: Int, total: Int, complement: Bool) -> Double {
        let epsilon = 0x1p-52
        var x = xIn
        var invert = complement
        var result = 0.0
        let mode = ((Double(r + 1) * Double(n + 1)) / Double(total + 2)).rounded(.down)
        if Double(x) < mode {
            result = pdf(x: x, r: r, n: n, total: total)
            var diff = result
            let lowerLimit = max(0, n + r - total)
            while diff > (invert ? 1 : result) * epsilon {
                diff = Double(x) * Double(total + x - n - r) * diff
                    / (Double(1 + n - x) * Double(1 + r - x))
                result += diff
                if x == lowerLimit { break }
                x -= 1
            }
        } else {
            invert = !invert
            let upperLimit = min(r, n)
            if x != upperLimit {
                x += 1
                result = pdf(x: x, r: r, n: n, total: total)
                var diff = result
                while x <= upperLimit && diff > (invert ? 1 : result) * epsilon {
                    diff = Double(n - x) * Double(r - x) * diff
                        / (Double(x + 1) * Double(total + x + 1 - n - r))
                    result += diff
                    x += 1
                }
            }
        }
        if invert { result = 1 - result }
        return min(max(result, 0), 1)
    }
}
