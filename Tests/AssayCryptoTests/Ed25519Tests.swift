import Foundation
import Testing
import AssayCrypto
import _AssayTestSupport

/// A PKCS#8 PEM private key for a 32-byte Ed25519 seed (the RFC 8032 "secret key").
private func pkcs8PEM(seedHex: String) -> [UInt8] {
    let der = Hex.decode("302e020100300506032b657004220420" + seedHex)!
    return Array("-----BEGIN PRIVATE KEY-----\n\(Data(der).base64EncodedString())\n-----END PRIVATE KEY-----\n".utf8)
}

/// The error `body` throws, or nil.
private func thrown<T>(_ body: () throws(CryptoError) -> T) -> CryptoError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

private func isInvalidPEM(_ error: CryptoError?, mentioning words: String...) -> Bool {
    guard case .invalidPEM(let detail)? = error else { return false }
    return words.allSatisfy { detail.contains($0) }
}

private func isWrongKeyType(_ error: CryptoError?, found expected: String) -> Bool {
    guard case .wrongKeyType("Ed25519", let found)? = error else { return false }
    return found == expected
}

private func flipBit(_ bytes: [UInt8], at index: Int) -> [UInt8] {
    var copy = bytes
    copy[index] ^= 0x01
    return copy
}

/// Keys made with `openssl genpkey`, for the refusals.
private enum Fixture {
    static let ecPrivate = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgiexBuCV9VjvmErPQ
        gvY2cLb3CkrRP2ksewxD0tJqeIuhRANCAASnhUdyDLWuC+gZ++R+Y421w5dk/JM/
        suR9RM3kgNabcafkmEiwIABMgICq6pr4K5qAZEPI4qTDuJ5xXhBl6zAM
        -----END PRIVATE KEY-----

        """
    static let ecPublic = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWlHNOacxV0sGS0ZEUrXAN44o3QAP
        KJuIWAKMjAplwZzong42H5wkQR6afwEbveBYw7lbaYUHKOoE4i7PJ9g4Fg==
        -----END PUBLIC KEY-----

        """
    /// 512 bits: small, and only ever read to be refused.
    static let rsaPrivate = """
        -----BEGIN PRIVATE KEY-----
        MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAxSKnZ1LF8I+MTq6T
        Db0jzYNY2xvj+F/qhISHYYceMbynl+EL9Ktg2Uqgj8O7lyfca1IIueB4g+CT/Uic
        21UPLwIDAQABAkBayZjbBs3N+e4eFlv3CdJBRWpYjkGxE0tH+Fj422dWc8E3xGkP
        i+KNa6ICoz6gY6QAzgY+SD5BJIPTUb7OJ18xAiEA/WIVyGzx4P1UjYnT5QFSS8xI
        HZ10YT6So24SVIixoOMCIQDHK9s8k02GOf1foROjUu1LPFfoqmeboIvDrLuMd5Em
        RQIhALXxP3j6mbiXz6YOiQPQrhpVZpc1X8MQHlWSDUF8IihHAiAAx/I/JZC7QwT0
        WAxcqpmVnvH1Tp3DZXjG1qmRnnJqRQIhANWrCEpOcDqo/m/yin4d9e/w0Rk/z+Lk
        ZYHD8EuGdj5x
        -----END PRIVATE KEY-----

        """
    /// Same PKCS#8 shape as Ed25519, another curve.
    static let x25519Private = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VuBCIEIMAz25lpMaavYqHg2c1ebusn/cbs+tvJZnyug9rNOIVy
        -----END PRIVATE KEY-----

        """
    /// An Ed25519 key encrypted with the passphrase "secret".
    static let encryptedEd25519 = """
        -----BEGIN ENCRYPTED PRIVATE KEY-----
        MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAh8hm+adQnFWwICCAAw
        DAYIKoZIhvcNAgkFADAdBglghkgBZQMEAQIEEMkulxpVyfRYrK4YJsVNsYQEQDBS
        nYlA/8U43dCHk+ZfwaeCYhJY0RCQ5tr+7x2WXHV9hYL+O9rMRkDjq2nO3VeClwoo
        Cucs9L70ogcvzK1as5o=
        -----END ENCRYPTED PRIVATE KEY-----

        """
}

@Suite struct Ed25519Tests {
    /// RFC 8032 section 7.1, tests 1 and 2.
    @Test(arguments: [
        ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
         "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
         "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ])
    func rfc8032Vectors(secret: String, publicKey: String, message: String, signature: String) throws {
        let key = try Ed25519PrivateKey(pem: pkcs8PEM(seedHex: secret))
        let pub = try key.publicKey()
        #expect(Hex.encode(pub.raw) == publicKey)
        let msg = try #require(Hex.decode(message))
        let sig = try key.sign(msg)
        #expect(Hex.encode(sig) == signature)
        #expect(pub.isValidSignature(sig, for: msg))
        #expect(try Ed25519PublicKey(raw: #require(Hex.decode(publicKey))) == pub)
        #expect(pub.keyID == (try SHA256.hash(pub.raw).hex))
    }

    @Test func signAndVerify() throws {
        let key = try Ed25519PrivateKey.generate()
        let pub = try key.publicKey()
        let message = Array("the artifact digest".utf8)
        let sig = try key.sign(message)
        #expect(sig.count == 64)
        #expect(pub.isValidSignature(sig, for: message))
        #expect(try key.sign(message) == sig, "Ed25519 signatures are deterministic")

        for i in [0, 5, message.count - 1] {
            #expect(!pub.isValidSignature(sig, for: flipBit(message, at: i)))
        }
        for i in [0, 31, 32, 63] {
            #expect(!pub.isValidSignature(flipBit(sig, at: i), for: message))
        }
        #expect(!pub.isValidSignature(Array(sig.dropLast()), for: message))
        #expect(!pub.isValidSignature(sig + [0], for: message))
        #expect(!pub.isValidSignature([], for: message))

        let other = try Ed25519PrivateKey.generate().publicKey()
        #expect(other != pub)
        #expect(other.keyID != pub.keyID)
        #expect(!other.isValidSignature(sig, for: message))

        let empty = try key.sign([])
        #expect(pub.isValidSignature(empty, for: []))
        #expect(!pub.isValidSignature(empty, for: [0]))
    }

    @Test func keyIDIsLowerHexSHA256() throws {
        let pub = try Ed25519PrivateKey.generate().publicKey()
        #expect(pub.keyID.count == 64)
        #expect(pub.keyID.utf8.allSatisfy(Hex.isLowerHexDigit))
        #expect(pub.keyID == (try SHA256.hash(pub.raw).hex))
    }

    @Test func pemRoundTrips() throws {
        let key = try Ed25519PrivateKey.generate()
        let pem = try key.pkcs8PEM()
        #expect(String(decoding: pem, as: UTF8.self).hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let again = try Ed25519PrivateKey(pem: pem)
        #expect(try again.publicKey() == key.publicKey())
        #expect(try again.sign([1, 2, 3]) == key.sign([1, 2, 3]))
        #expect(try again.pkcs8PEM() == pem)

        let pub = try key.publicKey()
        let spki = try pub.spkiPEM()
        #expect(String(decoding: spki, as: UTF8.self).hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        #expect(try Ed25519PublicKey(pem: spki) == pub)
    }

    @Test func rfcKeyWritesTheSamePKCS8() throws {
        let pem = pkcs8PEM(seedHex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        #expect(try Ed25519PrivateKey(pem: pem).pkcs8PEM() == pem)
    }

    @Test func refusesWrongRawLengths() {
        for count in [0, 31, 33, 64] {
            let error = thrown { () throws(CryptoError) in try Ed25519PublicKey(raw: [UInt8](repeating: 1, count: count)) }
            guard case .invalidKeyLength(32, count)? = error else {
                Issue.record("\(count) bytes: \(String(describing: error))")
                continue
            }
            #expect(error!.description.contains("exactly 32"))
        }
    }

    @Test func refusesOtherKeyTypes() {
        let rsa = thrown { () throws(CryptoError) in try Ed25519PrivateKey(pem: Array(Fixture.rsaPrivate.utf8)) }
        #expect(isWrongKeyType(rsa, found: "RSA"), "\(String(describing: rsa))")
        #expect(rsa?.description.contains("the key is RSA, not Ed25519") == true)

        let ec = thrown { () throws(CryptoError) in try Ed25519PrivateKey(pem: Array(Fixture.ecPrivate.utf8)) }
        #expect(isWrongKeyType(ec, found: "EC"), "\(String(describing: ec))")
        #expect(ec?.description.contains("the key is EC, not Ed25519") == true)

        let x25519 = thrown { () throws(CryptoError) in try Ed25519PrivateKey(pem: Array(Fixture.x25519Private.utf8)) }
        #expect(isWrongKeyType(x25519, found: "X25519"), "\(String(describing: x25519))")

        let ecPublic = thrown { () throws(CryptoError) in try Ed25519PublicKey(pem: Array(Fixture.ecPublic.utf8)) }
        #expect(isWrongKeyType(ecPublic, found: "EC"), "\(String(describing: ecPublic))")

        let rsaPublic = thrown { () throws(CryptoError) in
            try Ed25519PublicKey(pem: Array("-----BEGIN RSA PUBLIC KEY-----\nMAA=\n-----END RSA PUBLIC KEY-----\n".utf8))
        }
        #expect(isWrongKeyType(rsaPublic, found: "RSA"), "\(String(describing: rsaPublic))")
    }

    @Test func refusesEncryptedKeysWithoutPrompting() {
        let error = thrown { () throws(CryptoError) in try Ed25519PrivateKey(pem: Array(Fixture.encryptedEd25519.utf8)) }
        guard case .encryptedKey? = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(error!.description.contains("openssl pkey -in KEY.pem -out PLAIN.pem"))

        let legacy = "-----BEGIN PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END PRIVATE KEY-----\n"
        let legacyError = thrown { () throws(CryptoError) in try Ed25519PrivateKey(pem: Array(legacy.utf8)) }
        guard case .encryptedKey? = legacyError else {
            Issue.record("\(String(describing: legacyError))")
            return
        }
    }

    @Test func refusesPublicForPrivateAndTheReverse() throws {
        let key = try Ed25519PrivateKey.generate()
        let spki = try key.publicKey().spkiPEM()
        let asPrivate = thrown { () throws(CryptoError) in try Ed25519PrivateKey(pem: spki) }
        #expect(isInvalidPEM(asPrivate, mentioning: "public key", "private key is needed"), "\(String(describing: asPrivate))")

        let pkcs8 = try key.pkcs8PEM()
        let asPublic = thrown { () throws(CryptoError) in try Ed25519PublicKey(pem: pkcs8) }
        #expect(isInvalidPEM(asPublic, mentioning: "private key", "public key is needed", "-pubout"), "\(String(describing: asPublic))")
    }

    @Test func refusesGarbageEmptyAndTruncatedInput() throws {
        let garbage = Array("this is not a key at all\n".utf8)
        let empty: [UInt8] = []
        let binary: [UInt8] = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        for input in [garbage, binary] {
            let p = thrown { () throws(CryptoError) in try Ed25519PrivateKey(pem: input) }
            #expect(isInvalidPEM(p, mentioning: "not a PEM file", "BEGIN PRIVATE KEY"), "\(String(describing: p))")
            let q = thrown { () throws(CryptoError) in try Ed25519PublicKey(pem: input) }
            #expect(isInvalidPEM(q, mentioning: "not a PEM file", "BEGIN PUBLIC KEY"), "\(String(describing: q))")
        }
        let p = thrown { () throws(CryptoError) in try Ed25519PrivateKey(pem: empty) }
        #expect(isInvalidPEM(p, mentioning: "empty"), "\(String(describing: p))")
        let q = thrown { () throws(CryptoError) in try Ed25519PublicKey(pem: empty) }
        #expect(isInvalidPEM(q, mentioning: "empty"), "\(String(describing: q))")

        let key = try Ed25519PrivateKey.generate()
        let pkcs8 = try key.pkcs8PEM()
        let spki = try key.publicKey().spkiPEM()
        // Cut off the END line; then cut into the base64 as well.
        for cut in [pkcs8.count - 26, pkcs8.count / 2] {
            let truncated = Array(pkcs8.prefix(cut))
            let error = thrown { () throws(CryptoError) in try Ed25519PrivateKey(pem: truncated) }
            #expect(isInvalidPEM(error, mentioning: "cannot decode the private key", "no -----END line", "truncated"),
                    "\(String(describing: error))")
        }
        for cut in [spki.count - 25, spki.count / 2] {
            let truncated = Array(spki.prefix(cut))
            let error = thrown { () throws(CryptoError) in try Ed25519PublicKey(pem: truncated) }
            #expect(isInvalidPEM(error, mentioning: "cannot decode the public key", "no -----END line", "truncated"),
                    "\(String(describing: error))")
        }
        // Lines missing from the middle, END line intact.
        let lines = String(decoding: spki, as: UTF8.self).split(separator: "\n")
        let shortened = Array((lines.prefix(1) + lines.suffix(1)).joined(separator: "\n").utf8) + [0x0a]
        let middle = thrown { () throws(CryptoError) in try Ed25519PublicKey(pem: shortened) }
        #expect(isInvalidPEM(middle, mentioning: "truncated or damaged"), "\(String(describing: middle))")
        // Damaged base64 inside an intact block.
        var text = String(decoding: pkcs8, as: UTF8.self)
        text = text.replacingOccurrences(of: "MC4CAQAw", with: "MC4C!!Aw")
        let damaged = thrown { () throws(CryptoError) in try Ed25519PrivateKey(pem: Array(text.utf8)) }
        #expect(isInvalidPEM(damaged, mentioning: "cannot decode"), "\(String(describing: damaged))")

        let certificate = Array("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n".utf8)
        let cert = thrown { () throws(CryptoError) in try Ed25519PrivateKey(pem: certificate) }
        #expect(isInvalidPEM(cert, mentioning: "CERTIFICATE", "not a private key"), "\(String(describing: cert))")
    }
}

/// Against the `openssl` command line, in both directions.
@Suite struct Ed25519OpenSSLInteropTests {
    static let openssl = "/usr/bin/openssl"
    static var hasOpenSSL: Bool { FileManager.default.isExecutableFile(atPath: openssl) }

    private func run(_ arguments: [String], in dir: TemporaryDirectory) throws {
        let r = try ChildProcess.run(Self.openssl, arguments, currentDirectory: dir.path)
        try #require(r.status == 0, "openssl \(arguments.joined(separator: " ")): \(r.stderr)")
    }

    private func read(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test(.enabled(if: hasOpenSSL, "needs /usr/bin/openssl (install the openssl package) to check interoperability"))
    func openSSLKeysAndSignatures() throws {
        let dir = try TemporaryDirectory()
        try run(["genpkey", "-algorithm", "ed25519", "-out", "k.pem"], in: dir)
        try run(["pkey", "-in", "k.pem", "-pubout", "-out", "p.pem"], in: dir)
        let key = try Ed25519PrivateKey(pem: read(dir.file("k.pem")))
        let theirPublic = try Ed25519PublicKey(pem: read(dir.file("p.pem")))
        #expect(try key.publicKey() == theirPublic)
        #expect(try theirPublic.spkiPEM() == read(dir.file("p.pem")))
        #expect(try key.pkcs8PEM() == read(dir.file("k.pem")))

        let message = Array("a manifest to sign\n".utf8) + (0..<1000).map { UInt8(truncatingIfNeeded: $0) }
        try dir.write("msg", message)

        // Ours, checked by openssl.
        try dir.write("sig", key.sign(message))
        try run(["pkeyutl", "-verify", "-pubin", "-inkey", "p.pem", "-rawin", "-in", "msg", "-sigfile", "sig"], in: dir)
        try dir.write("bad", flipBit(try key.sign(message), at: 10))
        let refused = try ChildProcess.run(Self.openssl, ["pkeyutl", "-verify", "-pubin", "-inkey", "p.pem", "-rawin",
                                                          "-in", "msg", "-sigfile", "bad"], currentDirectory: dir.path)
        #expect(refused.status != 0)

        // Theirs, checked by ours.
        try run(["pkeyutl", "-sign", "-inkey", "k.pem", "-rawin", "-in", "msg", "-out", "theirs"], in: dir)
        let theirs = try read(dir.file("theirs"))
        #expect(theirs == (try key.sign(message)))
        #expect(theirPublic.isValidSignature(theirs, for: message))
        #expect(!theirPublic.isValidSignature(theirs, for: flipBit(message, at: 0)))

        // Our key file, read by openssl.
        try dir.write("ours.pem", key.pkcs8PEM())
        try run(["pkey", "-in", "ours.pem", "-noout"], in: dir)
    }

    @Test(.enabled(if: hasOpenSSL, "needs /usr/bin/openssl (install the openssl package) to check interoperability"))
    func openSSLKeysOfOtherTypesAreRefused() throws {
        let dir = try TemporaryDirectory()
        try run(["genpkey", "-algorithm", "rsa", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "rsa.pem"], in: dir)
        try run(["pkey", "-in", "rsa.pem", "-pubout", "-out", "rsa-pub.pem"], in: dir)
        try run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.pem"], in: dir)
        try run(["genpkey", "-algorithm", "ed25519", "-aes-128-cbc", "-pass", "pass:secret", "-out", "enc.pem"], in: dir)

        let rsa = try read(dir.file("rsa.pem"))
        let rsaError = thrown { () throws(CryptoError) in try Ed25519PrivateKey(pem: rsa) }
        #expect(isWrongKeyType(rsaError, found: "RSA"), "\(String(describing: rsaError))")
        let rsaPublic = try read(dir.file("rsa-pub.pem"))
        let rsaPublicError = thrown { () throws(CryptoError) in try Ed25519PublicKey(pem: rsaPublic) }
        #expect(isWrongKeyType(rsaPublicError, found: "RSA"), "\(String(describing: rsaPublicError))")
        let ec = try read(dir.file("ec.pem"))
        let ecError = thrown { () throws(CryptoError) in try Ed25519PrivateKey(pem: ec) }
        #expect(isWrongKeyType(ecError, found: "EC"), "\(String(describing: ecError))")
        let encrypted = try read(dir.file("enc.pem"))
        let encryptedError = thrown { () throws(CryptoError) in try Ed25519PrivateKey(pem: encrypted) }
        guard case .encryptedKey? = encryptedError else {
            Issue.record("\(String(describing: encryptedError))")
            return
        }
    }
}
