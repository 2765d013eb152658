import Foundation
import LLMProviders

/// `llm-bench stream-parse [--events 200000] [--chunk 4096] [--json]`
///
/// Events per second through `ServerSentEventParser` for an OpenAI-style chat stream (one
/// `data: {"choices":[{"delta":{"content":"…"}}]}` event per token, CR LF line ends, a comment
/// every 100 events), delivered in chunks of `--chunk` bytes and of 1 byte; and lines per second
/// through `NDJSONLineParser` for the same payloads as NDJSON. Best of 3 passes.
func runStreamParseBenchmark(_ arguments: inout Arguments) throws {
    let json = arguments.flag("json")
    let eventCount = try arguments.int("events", default: 200_000)
    let chunk = try arguments.int("chunk", default: 4096)
    var sse: [UInt8] = []
    var ndjson: [UInt8] = []
    let words = ["The", " capital", " of", " France", " is", " Paris", ".", " Grüße", " 東京", " 🚀"]
    for index in 0..<eventCount {
        let payload = #"{"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":""#
            + words[index % words.count] + #""},"finish_reason":null}]}"#
        sse += Array("data: \(payload)\r\n\r\n".utf8)
        ndjson += Array("\(payload)\n".utf8)
        if index % 100 == 99 { sse += Array(": keep-alive\r\n\r\n".utf8) }
    }
    var report = Report(json: json)
    for (format, bytes) in [("sse", sse), ("ndjson", ndjson)] {
        for chunkSize in [chunk, 1] {
            var best = 0.0
            for _ in 0..<3 {
                let start = DispatchTime.now().uptimeNanoseconds
                var count = 0
                if format == "sse" {
                    var parser = ServerSentEventParser()
                    for offset in stride(from: 0, to: bytes.count, by: chunkSize) {
                        count += try parser.feed(bytes[offset..<min(offset + chunkSize, bytes.count)]).count
                    }
                } else {
                    var parser = NDJSONLineParser()
                    for offset in stride(from: 0, to: bytes.count, by: chunkSize) {
                        count += try parser.feed(bytes[offset..<min(offset + chunkSize, bytes.count)]).count
                    }
                }
                precondition(count == eventCount, "parsed \(count) of \(eventCount)")
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                best = max(best, Double(count) / seconds)
            }
            report.add(Measurement(fields: [
                ("bench", .text("stream-parse")), ("library", .text("ours")), ("format", .text(format)),
                ("chunk_bytes", .integer(chunkSize)), ("events", .integer(eventCount)),
                ("events_per_s", .number(best)), ("mb_per_s", .number(best * Double(bytes.count) / Double(eventCount) / 1e6)),
            ]))
        }
    }
    report.printTable()
}
