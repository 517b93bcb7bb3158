// The sanitizer @jupyter-widgets uses for HTML in a widget's description
// (description_allow_html), with the browser's own HTML parser in place of sanitize-html:
// that package brings an HTML parser and a CSS parser (postcss) of its own, a quarter of the
// bundle. The same rule: only the allowed tags and attributes stay, another tag gives way to
// its text (script, style and the like to nothing), and a link or image address keeps only a
// scheme sanitize-html allows by default, or none (a relative address).
const DROPPED = new Set(["script", "style", "textarea", "option", "noscript", "template", "iframe", "object", "svg", "math"]);
const SCHEMES = new Set(["http", "https", "ftp", "mailto", "tel"]);
const ADDRESSES = new Set(["href", "src"]);

function safeAddress(value) {
  // browsers ignore whitespace and control characters in a scheme ("java\tscript:")
  const scheme = value.replace(/[\u0000-\u0020\u007f-\u009f]/g, "").match(/^([a-z][a-z0-9+.-]*):/i);
  return !scheme || SCHEMES.has(scheme[1].toLowerCase());
}

function allowed(patterns, name) {
  return patterns.some((p) => (p.endsWith("*") ? name.startsWith(p.slice(0, -1)) : p === name));
}

export default function sanitize(html, { allowedTags = [], allowedAttributes = {} } = {}) {
  // an inert document: nothing in it runs or loads
  const doc = new DOMParser().parseFromString("", "text/html");
  const source = doc.createElement("template");
  source.innerHTML = String(html);
  const tags = new Set(allowedTags);
  const copy = (from, into) => {
    for (const node of from.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) {
        into.append(doc.createTextNode(node.data));
      } else if (node.nodeType === Node.ELEMENT_NODE) {
        const tag = node.localName;
        if (DROPPED.has(tag)) continue;
        if (!tags.has(tag)) {
          copy(node, into);
          continue;
        }
        const element = doc.createElement(tag);
        const patterns = [...(allowedAttributes["*"] || []), ...(allowedAttributes[tag] || [])];
        for (const { name, value } of node.attributes) {
          if (allowed(patterns, name) && (!ADDRESSES.has(name) || safeAddress(value))) {
            element.setAttribute(name, value);
          }
        }
        into.append(element);
        copy(node, element);
      }
    }
  };
  const result = doc.createElement("div");
  copy(source.content, result);
  return result.innerHTML;
}
