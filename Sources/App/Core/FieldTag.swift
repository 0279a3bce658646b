import Leaf
import LeafKit

/// `#field(id, labelKey, errors, value, control, hintKey?)`: one form field written the one
/// way — its label, its hint, its error message, and the control tied to both by
/// `aria-describedby`, with `aria-invalid` when the field has an error. Every value is escaped.
///
/// `control` is the control's kind and its fixed attributes, as the template writes them:
/// `"text maxlength=250 autocomplete=off required"`, `"password autocomplete=new-password"`,
/// `"textarea rows=4 maxlength=20000"`, `"select"` (the value is then the `[FormOption]`, after an
/// empty choice unless `noblank`; `blank=key` labels that choice). The field's name is its id
/// and its message is `errors[id]`, unless `name=` or `error=` say otherwise.
struct FieldTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        let parameters = ctx.parameters
        guard parameters.count == 5 || parameters.count == 6, let id = parameters[0].string, let labelKey = parameters[1].string,
            let control = parameters[4].string
        else {
            throw "#field needs an id, a label key, the errors, a value, the control and, if any, a hint key"
        }
        let text = { (key: String) in
            ctx.request.map { $0.application.localizer.escapedText(key, $0.language) } ?? HTML.escape(key)
        }
        let hintKey = parameters.count == 6 ? parameters[5].string.flatMap { $0.isEmpty ? nil : $0 } : nil
        var words = control.split(separator: " ").map(String.init)
        let kind = words.isEmpty ? "text" : words.removeFirst()
        // The tag's own words: `name=` where the field's name is not its id, `error=` where its
        // message is filed under another key, `blank=` a key for the empty choice, `noblank`.
        func take(_ prefix: String) -> String? {
            guard let index = words.firstIndex(where: { $0.hasPrefix(prefix + "=") }) else { return nil }
            return String(words.remove(at: index).dropFirst(prefix.count + 1))
        }
        let name = take("name") ?? id
        let errorKey = take("error") ?? id
        let blank = take("blank").map(text) ?? "—"
        let noBlank = words.contains("noblank")
        words.removeAll { $0 == "noblank" }
        return .string(
            Self.field(
                id: id, name: name, label: text(labelKey), hint: hintKey.map(text), error: parameters[2].dictionary?[errorKey]?.string,
                kind: kind, attributes: words, blankChoice: noBlank ? nil : blank, value: parameters[3]))
    }

    /// Attributes written as the template gives them: a name, or `name=value` with the value escaped.
    static func attributes(_ words: [String]) -> String {
        words.map { word in
            guard let equals = word.firstIndex(of: "=") else { return " " + HTML.escape(word) }
            return " " + HTML.escape(String(word[..<equals])) + "=\"" + HTML.escape(String(word[word.index(after: equals)...])) + "\""
        }.joined()
    }

    static func field(
        id rawID: String, name: String, label: String, hint: String?, error: String?, kind: String, attributes words: [String],
        blankChoice: String? = "—", value: LeafData
    )
        -> String
    {
        let id = HTML.escape(rawID)
        var described: [String] = []
        var html = "<div class=\"field" + (error == nil ? "" : " has-error") + "\"><label for=\"" + id + "\">" + label + "</label>"
        if let hint {
            html += "<p class=\"hint\" id=\"" + id + "-hint\">" + hint + "</p>"
            described.append(id + "-hint")
        }
        if let error {
            html += "<p class=\"field-error\" id=\"" + id + "-error\">" + HTML.escape(error) + "</p>"
            described.append(id + "-error")
        }
        var aria = described.isEmpty ? "" : " aria-describedby=\"" + described.joined(separator: " ") + "\""
        if error != nil { aria += " aria-invalid=\"true\"" }
        let common = "id=\"" + id + "\" name=\"" + HTML.escape(name) + "\"" + attributes(words) + aria
        switch kind {
        case "select":
            let options = (value.array ?? []).map { option in
                let fields = option.dictionary ?? [:]
                return FormOption(
                    value: fields["value"]?.string ?? "", label: fields["label"]?.string ?? "", selected: fields["selected"]?.bool == true)
            }
            html += "<select " + common + ">" + (blankChoice.map { words.contains("multiple") ? "" : "<option value=\"\">" + $0 + "</option>" } ?? "")
            html += SafeHTML.options(options) + "</select>"
        case "textarea":
            html += "<textarea " + common + ">" + HTML.escape(value.string ?? "") + "</textarea>"
        default:
            let shown = kind == "password" ? "" : " value=\"" + HTML.escape(value.string ?? "") + "\""
            html += "<input " + common + " type=\"" + HTML.escape(kind) + "\"" + shown + ">"
        }
        return html + "</div>"
    }
}
