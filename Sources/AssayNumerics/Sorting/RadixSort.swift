/// Sorting doubles by their bits: an LSD radix sort, several times faster than a comparison sort
/// for the columns drift tests rank.
public enum RadixSort {
    /// `values` sorted ascending, as `sorted()` orders them, except that NaNs go last (positive
    /// NaNs) or first (negative NaNs) and `-0.0` comes before `0.0` — values that compare equal
    /// and so are interchangeable for every rank statistic.
    ///
    /// Each double maps to an unsigned key whose order is the numeric order (flip the sign bit
    /// of non-negatives, all bits of negatives); one read pass counts all eight byte digits,
    /// eight stable scatter passes of one byte each sort the keys (256 buckets keep each pass's
    /// writes in few cache lines), and a pass whose digit is the same for every key is skipped.
    ///
    /// - Complexity: O(9·n + 8·256) time, O(n) extra memory.
    public static func sortedAscending(_ values: [Double]) -> [Double] {
        let n = values.count
        if n < 64 { return values.sorted() }
        var keys = [UInt64](repeating: 0, count: n)
        var scratch = [UInt64](repeating: 0, count: n)
        // All eight digit histograms in one read pass.
        var histograms = [Int](repeating: 0, count: 8 * 256)
        values.withUnsafeBufferPointer { v in
            keys.withUnsafeMutableBufferPointer { k in
                histograms.withUnsafeMutableBufferPointer { h in
                    for i in 0..<n {
                        let bits = v[i].bitPattern
                        let key = bits & (1 << 63) == 0 ? bits | (1 << 63) : ~bits
                        k[i] = key
                        for digit in 0..<8 {
                            h[digit &* 256 &+ Int(truncatingIfNeeded: (key &>> UInt64(8 &* digit)) & 0xff)] &+= 1
                        }
                    }
                }
            }
        }
        for digit in 0..<8 {
            let shift = UInt64(8 * digit)
            let base = digit * 256
            // Skip a pass where every key has the same digit.
            if histograms[base + Int((keys[0] >> shift) & 0xff)] == n { continue }
            var total = 0
            for b in base..<(base + 256) {
                let c = histograms[b]
                histograms[b] = total
                total += c
            }
            keys.withUnsafeBufferPointer { k in
                scratch.withUnsafeMutableBufferPointer { s in
                    histograms.withUnsafeMutableBufferPointer { h in
                        for i in 0..<n {
                            let key = k[i]
                            let d = base &+ Int(truncatingIfNeeded: (key &>> shift) & 0xff)
                            s[h[d]] = key
                            h[d] &+= 1
                        }
                    }
                }
            }
            swap(&keys, &scratch)
        }
        return [Double](unsafeUninitializedCapacity: n) { buffer, count in
            keys.withUnsafeBufferPointer { k in
                for i in 0..<n {
                    let key = k[i]
                    buffer[i] = Double(bitPattern: key & (1 << 63) != 0 ? key & ~(1 << 63) : ~key)
                }
            }
            count = n
        }
    }
}
