import LLMCore

/// Packs retrieved documents into a prompt context that fits a token budget, numbering each
/// so an answer can cite it as `[1]`, `[2]`, ….
///
/// Documents are taken in the order given (best first). One that does not fit in what is
/// left of the budget is skipped — a later, shorter one may still fit — and listed in
/// ``RetrievalContext/omitted``. The budget holds for the whole assembled text, separators and
/// citation headers included, as measured by the counter itself (so with an exact tokenizer
/// the context is exactly within budget, even where BPE counts are not additive).
public struct ContextBuilder: Sendable {
    /// Measures the context.
    public var tokenCounter: any TokenCounter
    /// The most tokens the context may take.
    public var tokenBudget: Int
    /// Placed between two documents.
    public var separator: String
    /// Renders one numbered document; the default is `[n] Title\ntext` (the title line only when there is a title).
    public var render: @Sendable (_ number: Int, _ document: RetrievalDocument) -> String

    /// Creates a builder.
    public init(
        tokenCounter: any TokenCounter, tokenBudget: Int, separator: String = "\n\n",
        render: @escaping @Sendable (_ number: Int, _ document: RetrievalDocument) -> String = ContextBuilder.defaultRender
    ) {
        self.tokenCounter = tokenCounter
        self.tokenBudget = tokenBudget
        self.separator = separator
        self.render = render
    }

    /// The default rendering: `[n] Title` on the first line when the document has a title, then its text.
    public static let defaultRender: @Sendable (Int, RetrievalDocument) -> String = { number, document in
        if let title = document.title, !title.isEmpty { return "[\(number)] \(title)\n\(document.text)" }
        return "[\(number)] \(document.text)"
    }

    /// Packs `documents` (best first) into one context.
    public func build(from documents: [RetrievedDocument]) -> RetrievalContext {
        build(documents.map(\.document))
    }

    /// Packs plain documents (best first) into one context.
    public func build(_ documents: [RetrievalDocument]) -> RetrievalContext {
        var text = ""
        var tokens = 0
        var citations: [Citation] = []
        var omitted: [String] = []
        for document in documents {
            let number = citations.count + 1
            let piece = render(number, document)
            let candidate = text.isEmpty ? piece : text + separator + piece
            let count = tokenCounter.tokenCount(of: candidate)
            guard count <= tokenBudget else {
                omitted.append(document.id)
                continue
            }
            let start = candidate.utf8.count - piece.utf8.count
            citations.append(Citation(number: number, document: document, utf8Range: start..<candidate.utf8.count))
            text = candidate
            tokens = count
        }
        return RetrievalContext(text: text, tokenCount: tokens, citations: citations, omitted: omitted)
    }
}
