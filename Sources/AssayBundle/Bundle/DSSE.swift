import AssayCrypto
import AssayStore
import Foundation

/// Dead Simple Signing Envelopes (DSSE v1) around in-toto v1 Statements, signed with Ed25519.
///
/// The signature covers the pre-authentication encoding
/// `PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body` (lengths in decimal
/// ASCII), never the JSON of the envelope, so whitespace in the envelope cannot change what was
/// signed.
public enum DSSE {
    /// The payload type of an in-toto Statement.
    public static let inTotoPayloadType = "application/vnd.in-toto+json"
    /// The in-toto Statement type.
    public static let statementType = "https://in-toto.io/Statement/v1"

    /// The bytes a DSSE signature covers.
    public static func preAuthenticationEncoding(payloadType: String, payload: [UInt8]) -> [UInt8] {
        let type = Array(payloadType.utf8)
        return Array("DSSEv1 \(type.count) ".utf8) + type + Array(" \(payload.count) ".utf8) + payload
    }

    /// The envelope of `payload`, signed by `key`, as canonical JSON:
    /// `{"payload": base64, "payloadType", "signatures": [{"keyid", "sig": base64}]}`.
    public static func envelope(payload: [UInt8], payloadType: String = inTotoPayloadType, key: Ed25519PrivateKey) throws -> JSONValue {
        let signature = try key.sign(preAuthenticationEncoding(payloadType: payloadType, payload: payload))
        return .object([
            "payload": .string(Data(payload).base64EncodedString()),
            "payloadType": .string(payloadType),
            "signatures": .array([.object([
                "keyid": .string(try key.publicKey().keyID),
                "sig": .string(Data(signature).base64EncodedString()),
            ])]),
        ])
    }

    /// What an envelope holds, once one of its signatures checks out against `key`.
    public struct Opened: Sendable {
        public var payloadType: String
        public var payload: [UInt8]
    }

    /// Opens an envelope when one of its signatures verifies with `key`; otherwise the failure
    /// names what is wrong (not an envelope, no signature, none that verifies with this key).
    public static func open(_ envelope: JSONValue, key: Ed25519PublicKey) -> Result<Opened, EnvelopeProblem> {
        guard let payloadText = envelope["payload"]?.stringValue, let payloadType = envelope["payloadType"]?.stringValue,
              let signatures = envelope["signatures"]?.arrayValue else {
            return .failure(.init("not a DSSE envelope (payload, payloadType and signatures are required)"))
        }
        guard let payload = Data(base64Encoded: payloadText) else { return .failure(.init("the payload is not base64")) }
        let pae = preAuthenticationEncoding(payloadType: payloadType, payload: [UInt8](payload))
        var tried = 0
        for s in signatures {
            guard let sigText = s["sig"]?.stringValue, let sig = Data(base64Encoded: sigText) else { continue }
            tried += 1
            if key.isValidSignature([UInt8](sig), for: pae) { return .success(Opened(payloadType: payloadType, payload: [UInt8](payload))) }
        }
        return .failure(.init(tried == 0 ? "the envelope has no signature" : "no signature in the envelope verifies with this public key (key id \(key.keyID))"))
    }

    public struct EnvelopeProblem: Error, Sendable, CustomStringConvertible {
        public var description: String
        init(_ d: String) { description = d }
    }
}
