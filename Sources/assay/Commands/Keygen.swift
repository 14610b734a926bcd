import ArgumentParser
import AssayCrypto
import AssayStore
import Foundation

struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make an Ed25519 signing key for audit bundles.",
        discussion: """
            Writes the private key to KEY.pem (PKCS#8 PEM, file mode 0600) and the public key to \
            KEY.pub.pem (SPKI PEM), refusing to overwrite either. Keys made by \
            `openssl genpkey -algorithm ed25519` work too. The private key is only ever read: \
            it never reaches an artifact, the lineage, a log or a bundle. Needs no workspace.

            Examples:
              assay keygen -o signing.pem
              assay export ALERT --key signing.pem -o alert.tar.gz
              assay verify alert.tar.gz --pubkey signing.pub.pem
            """)

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the private key; the public key goes next to it as NAME.pub.pem.", valueName: "KEY.pem"))
    var output: String

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        let publicPath = (output.hasSuffix(".pem") ? String(output.dropLast(4)) : output) + ".pub.pem"
        for path in [output, publicPath] where FileManager.default.fileExists(atPath: path) {
            throw BundleCommandError("\(path) exists; keygen never overwrites a key. Choose another name or remove it first.")
        }
        let key = try Ed25519PrivateKey.generate()
        let publicKey = try key.publicKey()
        try Keygen.writeNew(try key.pkcs8PEM(), to: output, mode: 0o600)
        try Keygen.writeNew(try publicKey.spkiPEM(), to: publicPath, mode: 0o644)
        if json {
            Output.bytes(try JSONValue.object(["private_key": .string(output), "public_key": .string(publicPath), "key_id": .string(publicKey.keyID)]).canonicalBytes() + [0x0a])
        } else {
            Output.line("private key: \(output) (mode 0600; keep it secret)")
            Output.line("public key:  \(publicPath)")
            Output.line("key id:      \(publicKey.keyID)")
        }
        Output.flush()
    }

    /// Creates `path` exclusively with `mode` and writes `bytes`, durably.
    static func writeNew(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw BundleCommandError("\(path): cannot be created (\(String(cString: strerror(errno)))). Check the directory.") }
        defer { close(fd) }
        _ = fchmod(fd, mode)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            guard n > 0 else { throw BundleCommandError("\(path): write failed (\(String(cString: strerror(errno))))") }
            offset += n
        }
        guard fsync(fd) == 0 else { throw BundleCommandError("\(path): fsync failed") }
    }
}

/// A usage error of the bundle commands (exit 2).
struct BundleCommandError: CategorizedError {
    var description: String
    init(_ d: String) { description = d }
    var category: ErrorCategory { .usage }
}
