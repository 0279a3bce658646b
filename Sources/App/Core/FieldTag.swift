import Leaf
import LeafKit

/// `#field(id, labelKey, errors, value, control, hintKey?)`: one form field written the one
/// way — its label, its hint, its error message, and the control tied to both by
/// `aria-describedby`, with `aria-invalid` when the field has an error. Every value is escaped.
///
/// `control` is the control's kind and its fixed attributes, as the template writes them:
/// `"text maxlength=250 autocomplete=off required"`, `"password autocomplete=new-password"`,
/// `"textarea rows=4 maxlength=20000"`, `"select"` (the value is then the `[FormOption]`, or their
/// `SafeHTML.optionList`, after an
/// empty choice unless `noblank`; `blank=key` labels that choice). The field's name is its id
/// and its message is `errors[id]`, unless `name=` or `error=` say otherwise.
struct FieldTag: UnsafeUnescapedLeafTag {
    /// The catalogs, given at registration (no storage lookup per field).
    let localizer: Localizer

    func render(_ ctx: LeafContext) throws -> LeafData {
        let parameters = ctx.parameters
        guard parameters.count == 5 || parameters.count == 6, let id = parameters[0].string, let labelKey = parameters[1].string,
            let control = parameters[4].string
        else {
            throw "#field needs an id, a label key, the errors, a value, the control and, if any, a hint key"
        }
        let language = ctx.request?.language
        let text = { (key: String) in language.map { localizer.escapedText(key, $0) } ?? HTML.escape(key) }
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
    ) -> String {
        let id = HTML.escape(rawID)
        var html = ""
        html.reserveCapacity(512)
        html.append(error == nil ? "<div class=\"field\"><label for=\"" : "<div class=\"field has-error\"><label for=\"")
        html.append(id)
        html.append("\">")
        html.append(label)
        html.append("</label>")
        var described = ""
        if let hint {
            html.append("<p class=\"hint\" id=\"")
            html.append(id)
            html.append("-hint\">")
            html.append(hint)
            html.append("</p>")
            described = id + "-hint"
        }
        if let error {
            html.append("<p class=\"field-error\" id=\"")
            html.append(id)
            html.append("-error\">")
            html.append(HTML.escape(error))
            html.append("</p>")
            described += (described.isEmpty ? "" : " ") + id + "-error"
        }
        var common = "id=\"" + id + "\" name=\"" + HTML.escape(name) + "\"" + attributes(words)
        if !described.isEmpty { common += " aria-describedby=\"" + described + "\"" }
        if error != nil { common += " aria-invalid=\"true\"" }
        switch kind {
        case "select":
            let options = (value.array ?? []).map { option in
                let fields = option.dictionary ?? [:]
                return FormOption(
                    value: fields["value"]?.string ?? "", label: fields["label"]?.string ?? "", selected: fields["selected"]?.bool == true)
            }
            html.append("<select ")
            html.append(common)
            html.append(">")
            if let blankChoice, !words.contains("multiple") {
                html.append("<option value=\"\">")
                html.append(blankChoice)
                html.append("</option>")
            }
            // Options written beforehand (`SafeHTML.optionList`) go in as they are: a long list
            // costs LeafKit a dictionary per choice to encode and read back.
            if let written = value.dictionary?[SafeHTML.marker]?.string {
                html.append(written)
            } else {
                html.append(SafeHTML.options(options))
            }
            html.append("</select>")
        case "textarea":
            html.append("<textarea ")
            html.append(common)
            html.append(">")
            html.append(HTML.escape(value.string ?? ""))
            html.append("</textarea>")
        default:
            html.append("<input ")
            html.append(common)
            html.append(" type=\"")
            html.append(HTML.escape(kind))
            html.append("\"")
            if kind != "password" {
                html.append(" value=\"")
                html.append(HTML.escape(value.string ?? ""))
                html.append("\"")
            }
            html.append(">")
        }
        html.append("</div>")
        return html
    }
}

/// `#errorSummary(errors)`, written by the layout above every page's content: when a form came
/// back with errors, a box (`role="alert"`, focused on load by `autofocus`, no JavaScript) that
/// says so and links to each field with its message, in the form's order. Nothing otherwise.
struct ErrorSummaryTag: UnsafeUnescapedLeafTag {
    let localizer: Localizer

    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let errors = ctx.parameters.first?.dictionary, let request = ctx.request else { return .string("") }
        let order = (errors[FormErrors.orderKey]?.string ?? "").split(separator: " ").map(String.init)
        let fields = order.filter { $0 != "form" }
        guard !fields.isEmpty else { return .string("") }
        var html =
            "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" autofocus aria-labelledby=\"error-summary-title\">"
            + "<h2 id=\"error-summary-title\">" + localizer.escapedText("error_summary.title", request.language) + "</h2><ul>"
        for field in fields {
            guard let message = errors[field]?.string else { continue }
            html += "<li><a href=\"#" + HTML.escape(field) + "\">" + HTML.escape(message) + "</a></li>"
        }
        return .string(html + "</ul></div>")
    }
}

/// `#errorTitle(errors)`: "Erreur : " / "Error: " before the page title when a form came back
/// with errors, so a screen reader's first words say it.
struct ErrorTitleTag: UnsafeUnescapedLeafTag {
    let localizer: Localizer

    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let errors = ctx.parameters.first?.dictionary, let request = ctx.request,
            errors.keys.contains(where: { $0 != FormErrors.orderKey })
        else { return .string("") }
        return .string(localizer.escapedText("error_summary.title_prefix", request.language))
    }
}
