import LLMTesting
import Testing

@testable import LLMCache

private func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined() }

extension String {
    fileprivate func leftPadded(to length: Int) -> String { String(repeating: "0", count: max(0, length - count)) + self }
}

@Suite("SHA256")
struct SHA256Tests {
    @Test(
        "the published test vectors (FIPS 180-4 examples and NIST CAVS)",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
            ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
             "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
        ])
    func vectors(message: String, digest: String) {
        #expect(hex(SHA256.hash(message.utf8)) == digest)
    }

    @Test("one million 'a'")
    func millionA() {
        let digest = SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(hex(digest) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("feeding the message in pieces gives the one-shot digest, for every length around the block edges")
    func incremental() {
        var random = SeededRandomNumberGenerator(seed: 3)
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1_000] {
            let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            var hasher = SHA256()
            var start = 0
            while start < length {
                let end = min(length, start + Int.random(in: 1...70, using: &random))
                hasher.update(message[start..<end])
                start = end
            }
            #expect(hasher.finalize() == SHA256.hash(message), "length \(length)")
        }
    }
}
