/// CRC-32 as gzip and PNG compute it (IEEE 802.3, reflected, polynomial 0xEDB88320).
public enum CRC32 {
    public static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { update(0xFFFF_FFFF, $0) } ^ 0xFFFF_FFFF
    }

    /// Continues a running CRC (pre-inverted: start from 0xFFFFFFFF, invert at the end) over
    /// `bytes`, eight bytes per step (slicing-by-8).
    public static func update(_ start: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = start
        slices.withUnsafeBufferPointer { t in
            var i = 0
            let n = bytes.count
            while i + 8 <= n {
                let lo = c ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian
                let hi = bytes.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self).littleEndian
                c = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < n {
                c = t[Int((c ^ UInt32(bytes[i])) & 0xFF)] ^ (c >> 8)
                i += 1
            }
        }
        return c
    }

    /// Eight 256-entry tables: `slices[k·256 + b]` is the CRC of byte `b` followed by `k` zero bytes.
    static let slices: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for b in 0..<256 { t[b] = table[b] }
        for k in 1..<8 {
            for b in 0..<256 { t[k * 256 + b] = (t[(k - 1) * 256 + b] >> 8) ^ table[Int(t[(k - 1) * 256 + b] & 0xFF)] }
        }
        return t
    }()
}
