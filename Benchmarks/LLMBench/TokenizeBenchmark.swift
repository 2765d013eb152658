import Foundation
import Tokenizers

/// `llm-bench tokenize --encoding cl100k_base|o200k_base --ranks F.tiktoken --input F [--repeat R] [--emit-ids] [--json]`
///
/// Single-thread `encodeOrdinary` throughput over the whole file (best of R passes) and the
/// token count; with `--emit-ids`, the ids instead, one per line.
func runTokenizeBenchmark(_ arguments: inout Arguments) throws {
    let json = arguments.flag("json")
    let emitIDs = arguments.flag("emit-ids")
    guard let encodingName = try arguments.string("encoding"), let encoding = TiktokenEncoding(rawValue: encodingName) else {
        throw Arguments.Problem(description: "--encoding cl100k_base|o200k_base is required")
    }
    guard let ranks = try arguments.string("ranks"), let input = try arguments.string("input") else {
        throw Arguments.Problem(description: "--ranks and --input are required")
    }
    let repeats = try arguments.int("repeat", default: 3)
    let tokenizer = try BPETokenizer(encoding: encoding, ranksFile: URL(fileURLWithPath: ranks))
    let text = try String(contentsOfFile: input, encoding: .utf8)
    if emitIDs {
        print(tokenizer.encodeOrdinary(text).map(String.init).joined(separator: "\n"))
        return
    }
    var best = Double.infinity
    var tokens = 0
    for _ in 0..<max(1, repeats) {
        let start = now()
        tokens = tokenizer.encodeOrdinary(text).count
        best = min(best, now() - start)
    }
    let megabytes = Double(text.utf8.count) / 1_000_000
    var report = Report(json: json)
    report.add(Measurement(fields: [
        ("bench", .text("tokenize")), ("library", .text("ours")), ("encoding", .text(encoding.rawValue)),
        ("input", .text(URL(fileURLWithPath: input).lastPathComponent)), ("tokens", .integer(tokens)),
        ("mb_per_s", .number(megabytes / best)),
    ]))
    report.printTable()
}
