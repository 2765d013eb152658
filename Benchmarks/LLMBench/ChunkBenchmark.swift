import Chunking
import Foundation
import LLMCore
import Tokenizers

/// `llm-bench chunk --chunker recursive|sentence|markdown|code|token --size N --overlap N --unit characters|tokens
///  [--ranks F.tiktoken] --input F [--repeat R] [--json]`
///
/// Chunking throughput (MB/s, best of R passes, one thread) and the chunks' sizes measured in the
/// unit (characters, or cl100k tokens of each chunk's own text): mean, p95, max, how many are
/// over the limit, and the mean realised overlap between consecutive chunks.
func runChunkBenchmark(_ arguments: inout Arguments) throws {
    let json = arguments.flag("json")
    let kind = try arguments.string("chunker") ?? "recursive"
    let limit = try arguments.int("size", default: 1_000)
    let overlap = try arguments.int("overlap", default: 200)
    let unit = try arguments.string("unit") ?? "characters"
    let repeats = try arguments.int("repeat", default: 3)
    guard let input = try arguments.string("input") else { throw Arguments.Problem(description: "--input is required") }
    let text = try String(contentsOfFile: input, encoding: .utf8)

    var tokenizer: BPETokenizer? = nil
    if unit == "tokens" || kind == "token" {
        guard let ranks = try arguments.string("ranks") else { throw Arguments.Problem(description: "--ranks is required for tokens") }
        tokenizer = try BPETokenizer(encoding: .cl100kBase, ranksFile: URL(fileURLWithPath: ranks))
    }
    let size: ChunkSize = unit == "tokens" ? .tokens(limit, overlap: overlap, counter: tokenizer!) : .characters(limit, overlap: overlap)
    let chunk: (String) throws -> [Chunk]
    switch kind {
    case "recursive": chunk = { [size] in try RecursiveChunker(size: size).chunks(of: $0) }
    case "sentence": chunk = { [size] in try SentenceChunker(size: size).chunks(of: $0) }
    case "markdown": chunk = { [size] in try MarkdownChunker(size: size).chunks(of: $0) }
    case "code": chunk = { [size] in try CodeChunker(language: .swift, size: size).chunks(of: $0) }
    case "token": chunk = { [tokenizer] in try TokenChunker(tokenizer: tokenizer!, limit: limit, overlap: overlap).chunks(of: $0) }
    default: throw Arguments.Problem(description: "unknown --chunker \(kind)")
    }
    var best = Double.infinity
    var chunks: [Chunk] = []
    for _ in 0..<max(1, repeats) {
        let start = now()
        chunks = try chunk(text)
        best = min(best, now() - start)
    }
    let measure: (String) -> Int = { piece in unit == "tokens" ? tokenizer!.tokenCount(of: piece) : piece.count }
    let sizes = chunks.map { measure($0.text) }.sorted()
    var overlaps: [Int] = []
    let bytes = Array(text.utf8)
    for (previous, next) in zip(chunks, chunks.dropFirst()) where next.utf8Range.lowerBound < previous.utf8Range.upperBound {
        overlaps.append(measure(String(decoding: bytes[next.utf8Range.lowerBound..<previous.utf8Range.upperBound], as: UTF8.self)))
    }
    var report = Report(json: json)
    report.add(Measurement(fields: [
        ("bench", .text("chunk")), ("library", .text("ours")), ("chunker", .text(kind)), ("unit", .text(unit)),
        ("size", .integer(limit)), ("overlap", .integer(overlap)), ("input", .text(URL(fileURLWithPath: input).lastPathComponent)),
        ("chunks", .integer(chunks.count)), ("mb_per_s", .number(Double(bytes.count) / 1_000_000 / best)),
        ("mean_size", .number(sizes.isEmpty ? 0 : Double(sizes.reduce(0, +)) / Double(sizes.count))),
        ("p95_size", .integer(sizes.isEmpty ? 0 : sizes[min(sizes.count - 1, sizes.count * 95 / 100)])),
        ("max_size", .integer(sizes.last ?? 0)), ("over_limit", .integer(sizes.filter { $0 > limit }.count)),
        ("mean_overlap", .number(overlaps.isEmpty ? 0 : Double(overlaps.reduce(0, +)) / Double(overlaps.count))),
    ]))
    report.printTable()
}
