/// Sorting doubles by their bits: an LSD radix sort, several times faster than a comparison sort
/// for the columns drift tests rank.
public enum RadixSort {
    /// `values` sorted ascending, as `sorted()` orders them, except that NaNs go last (positive
    /// NaNs) or first (negative NaNs) and `-0.0` comes before `0.0` — values that compare equal
    /// and so are interchangeable for every rank statistic.
    ///
    /// Each double maps to an unsigned key whose order is the numeric order (flip the sign bit
    /// of non-negatives, all bits of negatives); six stable passes of 11 bits sort the keys, and
    /// a pass whose digit is the same for every key is skipped.
    ///
    /// - Complexity: O(6·(n + 2048)) time, O(n) extra memory.
    public static func sortedAscending(_ values: [Double]) -> [Double] {
        let n = values.count
        if n < 64 { return values.sorted() }
        var keys = [UInt64](unsafeUninitializedCapacity: n) { buffer, count in
            values.withUnsafeBufferPointer { v in
                for i in 0..<n {
                    let bits = v[i].bitPattern
                    buffer[i] = bits & (1 << 63) == 0 ? bits | (1 << 63) : ~bits
                }
            }
            count = n
        }
        var scratch = [UInt64](repeating: 0, count: n)
        var histogram = [Int](repeating: 0, count: 2048)
        var shift: UInt64 = 0
        while shift < 64 {
            for b in 0..<2048 { histogram[b] = 0 }
            keys.withUnsafeBufferPointer { k in
                histogram.withUnsafeMutableBufferPointer { h in
                    for i in 0..<n { h[Int((k[i] >> shift) & 0x7ff)] += 1 }
                }
            }
            // Skip a pass where every key has the same digit.
            if histogram[Int((keys[0] >> shift) & 0x7ff)] == n { shift += 11; continue }
            var total = 0
            for b in 0..<2048 {
                let c = histogram[b]
                histogram[b] = total
                total += c
            }
            keys.withUnsafeBufferPointer { k in
                scratch.withUnsafeMutableBufferPointer { s in
                    histogram.withUnsafeMutableBufferPointer { h in
                        for i in 0..<n {
                            let d = Int((k[i] >> shift) & 0x7ff)
                            s[h[d]] = k[i]
                            h[d] += 1
                        }
                    }
                }
            }
            swap(&keys, &scratch)
            shift += 11
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
