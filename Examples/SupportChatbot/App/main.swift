// SupportChatbot: a RAG customer-support assistant over the bundled Swift documentation.
//
//   swift run SupportChatbot                      interactive chat
//   swift run SupportChatbot --ask "question"      one question, then exit
//   swift run SupportChatbot --eval FILE.jsonl     score a golden set, print a JSON summary
//
// Options: --verbose (each pipeline step with its latency), --user ID, --index-dir DIR,
// --audit-log FILE. Offline by default; see the README for real models.

import Foundation
import LLMCore
import SupportChatbotKit

struct Options {
    var ask: String?
    var eval: String?
    var verbose = false
    var user = "local-user"
    var indexDirectory: URL?
    var auditLog: URL
}

/// Writes straight to standard output, unbuffered, so streamed text appears as it arrives.
func out(_ text: String, terminator: String = "\n") {
    FileHandle.standardOutput.write(Data((text + terminator).utf8))
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("SupportChatbot: \(message)\n".utf8))
    exit(1)
}

func parseOptions() -> Options {
    let cache = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
        ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
    var options = Options(
        indexDirectory: cache.appendingPathComponent("swift-llm-toolkit/support-chatbot"),
        auditLog: URL(fileURLWithPath: "support-chatbot-audit.jsonl"))
    var arguments = CommandLine.arguments.dropFirst()
    func value(_ flag: String) -> String {
        guard let next = arguments.popFirst() else { fail("\(flag) needs a value") }
        return next
    }
    while let argument = arguments.popFirst() {
        switch argument {
        case "--ask": options.ask = value(argument)
        case "--eval": options.eval = value(argument)
        case "--verbose", "-v": options.verbose = true
        case "--user": options.user = value(argument)
        case "--index-dir": options.indexDirectory = URL(fileURLWithPath: value(argument))
        case "--no-index-cache": options.indexDirectory = nil
        case "--audit-log": options.auditLog = URL(fileURLWithPath: value(argument))
        case "--help", "-h":
            out("usage: SupportChatbot [--ask QUESTION | --eval FILE.jsonl] [--verbose] [--user ID] [--index-dir DIR | --no-index-cache] [--audit-log FILE]")
            exit(0)
        default: fail("unknown option \(argument); try --help")
        }
    }
    return options
}

/// Whether answer text was printed since the last step line (so the next step line starts a new line).
nonisolated(unsafe) var midAnswer = false

func printEvent(_ event: ChatbotEvent, verbose: Bool) {
    switch event {
    case .step(let step):
        if verbose {
            let name = step.name.padding(toLength: 15, withPad: " ", startingAt: 0)
            let time = String(format: "%8.2f", step.milliseconds)
            if midAnswer { out("") }
            midAnswer = false
            FileHandle.standardError.write(Data("  · \(name) \(time) ms  \(step.note)\n".utf8))
        }
    case .text(let text):
        midAnswer = true
        out(text, terminator: "")
    case .withdrawn(let reason, let answer):
        out("\n[withdrawn: \(reason)]\n\(answer)", terminator: "")
    }
}

func printSources(_ record: TurnRecord) {
    out("")
    for source in record.sources { out("  [\(source.number)] \(source.title)  (\(source.id))") }
    if record.escalated { out("  (escalated to a support agent: \(record.escalationReason ?? ""))") }
    if let hit = record.cacheHit { out("  (answered from the \(hit) cache)") }
}

let options = parseOptions()
do {
    let knowledgeBase = try await KnowledgeBase.open(try KnowledgeBase.bundledDocuments(), directory: options.indexDirectory) { message in
        if options.verbose { FileHandle.standardError.write(Data("[index] \(message)\n".utf8)) }
    }
    let setup = try ChatbotModels.fromEnvironment(termStatistics: knowledgeBase.retriever)
    var configuration = ChatbotConfiguration()
    if options.eval != nil { configuration.questionsPerMinute = 1_000_000 }
    let chatbot = try SupportChatbot(
        knowledgeBase: knowledgeBase, model: setup.model, intentClassifier: setup.intentClassifier,
        configuration: configuration, auditLog: try AuditLog(url: options.auditLog))
    let verbose = options.verbose
    if let eval = options.eval {
        let items = try Evaluation.items(in: URL(fileURLWithPath: eval))
        let summary = try await Evaluation.run(items, chatbot: chatbot) { index, record in
            if verbose {
                FileHandle.standardError.write(Data("[\(index + 1)/\(items.count)] \(record.escalated ? "escalated" : record.cacheHit ?? "answered"): \(record.question.prefix(60))\n".utf8))
            }
        }
        let data = try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])
        out(String(decoding: data, as: UTF8.self))
    } else if let question = options.ask {
        if verbose { FileHandle.standardError.write(Data("[model] \(setup.summary)\n".utf8)) }
        let record = await chatbot.ask(question, user: options.user, conversation: Conversation(id: UUID().uuidString)) { printEvent($0, verbose: verbose) }
        printSources(record)
    } else {
        out("Swift documentation support — \(knowledgeBase.chunkCount) sections indexed. \(setup.summary).")
        out("Ask a question (empty line or Ctrl-D to quit).")
        let conversation = Conversation(id: UUID().uuidString)
        while true {
            out("\n> ", terminator: "")
            guard let line = readLine(strippingNewline: true), !line.isEmpty else { break }
            let record = await chatbot.ask(line, user: options.user, conversation: conversation) { printEvent($0, verbose: verbose) }
            printSources(record)
        }
    }
} catch {
    fail("\(error)")
}
