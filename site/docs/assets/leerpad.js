/* leerpad: progress, catalogue filter, self-scan and feedback. Vanilla JavaScript;
   an anonymous visitor's progress stays in this browser (localStorage). Requests go to this
   site's own server only, and only for a learner who came in through a personal link: where
   she stands in each module (started, handed in, graded with her points), which replaces
   the browser's own marks so that every device shows the same; and on the feedback page
   the feedback on one graded module.
   Identity travels with the links to the apps: a learner's personal link, or else this
   browser's random device id, so that the app keeps her answers (see the trainer guide). */
(function () {
  "use strict";

  var DONE_KEY = "leerpad:klaar";
  var SCAN_KEY = "leerpad:zelfscan";
  var SVG = "http://www.w3.org/2000/svg"; // an XML namespace name, not a request

  function load(key, fallback) {
    try {
      var value = JSON.parse(window.localStorage.getItem(key));
      return value === null ? fallback : value;
    } catch (e) {
      return fallback;
    }
  }

  function save(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* private mode or storage off: the page still works, nothing is kept */
    }
  }

  function doneList() {
    var list = load(DONE_KEY, []);
    return Array.isArray(list) ? list : [];
  }

  function isDone(id) {
    return doneList().indexOf(id) !== -1;
  }

  function setDone(id, done) {
    var list = doneList().filter(function (x) { return x !== id; });
    if (done) list.push(id);
    save(DONE_KEY, list);
  }

  /* -- progress ---------------------------------------------------------------- */
  function initDoneButtons() {
    document.querySelectorAll("button.leerpad-klaar").forEach(function (button) {
      var id = button.getAttribute("data-module");
      /* A toggle button: the label stays, aria-pressed and the check mark show the state. */
      function show() {
        var done = isDone(id);
        button.setAttribute("aria-pressed", done ? "true" : "false");
        button.textContent = "";
        if (done) {
          var mark = document.createElement("span");
          mark.setAttribute("aria-hidden", "true");
          mark.textContent = "\u2713 ";
          button.appendChild(mark);
        }
        button.appendChild(document.createTextNode("Markeer als klaar"));
        button.title = done ? "Klaar. Klik om de markering te wissen." : "";
        button.classList.toggle("md-button--primary", done);
      }
      button.hidden = false;
      show();
      button.addEventListener("click", function () {
        setDone(id, !isDone(id));
        show();
      });
    });
  }

  function pathModules(box) {
    return (box.getAttribute("data-modules") || "").split(" ").filter(Boolean);
  }

  function plannedNote(box) {
    var planned = parseInt(box.getAttribute("data-gepland") || "0", 10);
    return planned ? " Nog " + planned + (planned === 1 ? " module" : " modules") +
      " in voorbereiding." : "";
  }

  function progressBar(value, max, label) {
    var bar = document.createElement("progress");
    bar.max = max || 1;
    bar.value = value;
    bar.setAttribute("aria-label", label);
    return bar;
  }

  /* An anonymous visitor: what she marked as done in this browser. */
  function showLocalProgress() {
    document.querySelectorAll(".leerpad-voortgang").forEach(function (box) {
      var ids = pathModules(box);
      var done = ids.filter(isDone).length;
      box.textContent = "";
      var text = document.createElement("p");
      text.textContent = "Voortgang: " + done + " van " + ids.length + " modules klaar." +
        plannedNote(box);
      box.appendChild(text);
      box.appendChild(progressBar(done, ids.length, "Voortgang in dit leerpad"));
    });
    document.querySelectorAll(".leerpad-stap").forEach(function (mark) {
      mark.textContent = isDone(mark.getAttribute("data-module")) ? "\u2713 klaar" : "";
    });
    document.querySelectorAll("button.leerpad-klaar").forEach(function (b) { b.hidden = false; });
  }

  /* -- graded results, for a learner known by a personal link ---------------------- */
  var LEARNER_KEY = "leerpad:cursist";

  /* A personal link (?cohort=..&leerling=..&sig=..) is remembered here and taken out of
     the address bar, so it is not shared along with a copied address. */
  function knownLearner() {
    var params = new URLSearchParams(window.location.search);
    if (params.get("cohort") && params.get("leerling") && params.get("sig")) {
      save(LEARNER_KEY, {
        cohort: params.get("cohort"), leerling: params.get("leerling"), sig: params.get("sig")
      });
      ["cohort", "leerling", "sig"].forEach(function (k) { params.delete(k); });
      var rest = params.toString();
      window.history.replaceState(null, "", window.location.pathname +
        (rest ? "?" + rest : "") + window.location.hash);
    }
    var who = load(LEARNER_KEY, null);
    return who && who.cohort && who.leerling && who.sig ? who : null;
  }

  function linkQuery(who) {
    return "cohort=" + encodeURIComponent(who.cohort) + "&leerling=" +
      encodeURIComponent(who.leerling) + "&sig=" + encodeURIComponent(who.sig);
  }

  function number(x) {
    return (Math.round(x * 10) / 10).toString().replace(".", ",");
  }

  /* Where she stands in one module, in words: "Nog niet gestart.", "Bezig: nog niet
     ingeleverd.", "Ingeleverd op ..., nog niet verbeterd.", "Verbeterd: 7 van 9 punten." */
  function stateLine(id, result) {
    var line = document.createElement("span");
    var state = result ? result.staat || "verbeterd" : "nog-niet-gestart";
    line.setAttribute("data-staat", state);
    var text;
    if (state === "verbeterd") {
      text = "Verbeterd: " + number(result.score) + " van " + number(result.max) + " punten";
      if (result.wacht_op_trainer) text += " (de trainer moet nog een antwoord nakijken)";
      if (result.te_laat) text += ", te laat ingeleverd";
      text += ".";
    } else if (state === "ingeleverd") {
      text = "Ingeleverd" + (result.ingeleverd ? " op " + result.ingeleverd : "") +
        (result.verbeteren_mislukt ? "; het verbeteren lukte niet, je trainer kijkt het na." :
          ", nog niet verbeterd.");
    } else if (state === "bezig") {
      text = "Bezig: je antwoorden zijn bewaard, nog niet ingeleverd.";
    } else {
      text = "Nog niet gestart.";
    }
    line.appendChild(document.createTextNode(text + " "));
    if (state === "verbeterd" && result.feedback) {
      var link = document.createElement("a");
      link.href = "/feedback/?module=" + encodeURIComponent(id);
      link.textContent = "Bekijk feedback";
      line.appendChild(link);
    }
    return line;
  }

  function count(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  /* Her progress from the server, in place of this browser's marks. */
  function showResults(who, data) {
    var modules = data.modules || {};
    document.querySelectorAll(".leerpad-resultaat").forEach(function (box) {
      var id = box.getAttribute("data-module");
      box.textContent = "";
      if (!box.closest("li")) box.appendChild(el("strong", "Jouw voortgang: "));  // a module page
      box.appendChild(stateLine(id, modules[id]));
    });
    document.querySelectorAll(".leerpad-stap").forEach(function (mark) { mark.textContent = ""; });
    /* "Markeer als klaar" only marks this browser: her hand-ins say what is done. */
    document.querySelectorAll("button.leerpad-klaar").forEach(function (b) { b.hidden = true; });
    document.querySelectorAll(".leerpad-voortgang").forEach(function (box) {
      var ids = pathModules(box);
      var graded = ids.filter(function (id) { return modules[id] && modules[id].staat === "verbeterd"; });
      var handedIn = ids.filter(function (id) {
        return modules[id] && (modules[id].staat === "verbeterd" || modules[id].staat === "ingeleverd");
      });
      var score = 0, max = 0;
      graded.forEach(function (id) { score += modules[id].score; max += modules[id].max; });
      box.textContent = "";
      var p = el("p", "Je bent herkend als " + data.cursist + " (cohort " + data.cohort + "). ",
        "leerpad-aangemeld");
      var forget = document.createElement("button");
      forget.type = "button";
      forget.className = "md-button";
      forget.textContent = "Niet jij? Vergeet deze link";
      forget.addEventListener("click", function () {
        try { window.localStorage.removeItem(LEARNER_KEY); } catch (e) { /* nothing kept */ }
        document.querySelectorAll(".leerpad-resultaat").forEach(function (el) { el.textContent = ""; });
        showLocalProgress();
        initAppLinks(null);
      });
      p.appendChild(forget);
      box.appendChild(p);
      box.appendChild(el("p", "Ingeleverd: " + handedIn.length + " van " +
        count(ids.length, "module", "modules") + ". Verbeterd: " + graded.length + " van " +
        count(ids.length, "module", "modules") +
        (graded.length ? ", samen " + number(score) + " van " + number(max) + " punten." : ".") +
        plannedNote(box), "leerpad-voortgang-tekst"));
      box.appendChild(progressBar(handedIn.length, ids.length, "Ingeleverde modules in dit leerpad"));
    });
  }

  /* -- identity to the apps ---------------------------------------------------------- */
  var DEVICE_KEY = "leerpad:toestel";

  /* A random id for this browser (24 characters a-z0-9), made once: an anonymous visitor's
     app keeps her answers under it until she gives a name. Not personal data: it is not
     derived from anything about the device. */
  function deviceId() {
    var id = load(DEVICE_KEY, null);
    if (typeof id === "string" && /^[a-z0-9]{16,32}$/.test(id)) return id;
    if (!window.crypto || !window.crypto.getRandomValues) return null;
    var bytes = new Uint8Array(24), alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    window.crypto.getRandomValues(bytes);
    id = Array.prototype.map.call(bytes, function (b) { return alphabet[b % 36]; }).join("");
    save(DEVICE_KEY, id);
    return load(DEVICE_KEY, null) === id ? id : null; /* storage off: no id, nothing kept */
  }

  /* Every "Open als app" link carries who this is: her signed personal link when she came
     in through one, else this browser's device id. The app checks the signature itself. */
  function initAppLinks(who) {
    var links = document.querySelectorAll('a[href*="/voila/render/"]');
    if (!links.length) return;
    var extra = who ? { leerling: who.leerling, sig: who.sig } : { toestel: deviceId() };
    links.forEach(function (a) {
      var url;
      try { url = new URL(a.getAttribute("href"), window.location.href); } catch (e) { return; }
      ["leerling", "sig", "toestel"].forEach(function (k) { url.searchParams.delete(k); });
      Object.keys(extra).forEach(function (k) { if (extra[k]) url.searchParams.set(k, extra[k]); });
      a.setAttribute("href", url.toString());
    });
  }

  /* Her progress comes from the server; the browser's own marks only when there is no
     server (the published site) or her link does not hold (then she is told why). */
  function initProgress(who) {
    if (!who || !window.fetch) return showLocalProgress();
    if (!document.querySelector(".leerpad-voortgang, .leerpad-resultaat")) return;
    document.querySelectorAll(".leerpad-voortgang").forEach(function (box) {
      box.textContent = "Je voortgang wordt opgehaald bij de server van je bootcamp...";
    });
    fetch("/api/resultaten?" + linkQuery(who), { cache: "no-store" })
      .then(function (r) {
        if (r.ok) return r.json().then(function (data) { showResults(who, data); });
        return r.text().then(function (text) {
          showLocalProgress();
          if (r.status !== 403) return;
          document.querySelectorAll(".leerpad-voortgang").forEach(function (box) {
            box.appendChild(el("p", text, "leerpad-aangemeld"));
          });
        });
      })
      .catch(function () { showLocalProgress(); /* no server: this browser's marks */ });
  }

  /* -- feedback on one graded module (the page feedback/) ----------------------------- */
  var FEEDBACK_LINK_KEY = "leerpad:feedback-link";

  /* The app opens this page with the learner's link (?cohort=..&leerling=..&sig=..). It is
     kept for this tab only (sessionStorage: a shared class computer does not remember the
     pupil) and taken out of the address bar; else the learner this browser knows. */
  function feedbackLearner(params) {
    if (params.get("cohort") && params.get("leerling") && params.get("sig")) {
      var who = { cohort: params.get("cohort"), leerling: params.get("leerling"), sig: params.get("sig") };
      try { window.sessionStorage.setItem(FEEDBACK_LINK_KEY, JSON.stringify(who)); } catch (e) { /* not kept */ }
      window.history.replaceState(null, "", window.location.pathname + "?module=" +
        encodeURIComponent(params.get("module") || ""));
      return who;
    }
    try {
      var kept = JSON.parse(window.sessionStorage.getItem(FEEDBACK_LINK_KEY));
      if (kept && kept.cohort && kept.leerling && kept.sig) return kept;
    } catch (e) { /* nothing kept */ }
    var known = load(LEARNER_KEY, null);
    return known && known.cohort && known.leerling && known.sig ? known : null;
  }

  function el(name, text, className) {
    var node = document.createElement(name);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function note(kind, title, text) {
    var box = el("div", null, "admonition " + kind);
    box.appendChild(el("p", title, "admonition-title"));
    box.appendChild(el("p", text));
    return box;
  }

  function backLinks(box, data, titles) {
    var p = el("p", null, "leerpad-terug");
    var module = el("a", "Terug naar de module", "md-button md-button--primary");
    module.href = box.getAttribute("data-modules") + encodeURIComponent(data.module) + "/";
    p.appendChild(module);
    p.appendChild(document.createTextNode(" "));
    var path = el("a", "Terug naar je leerpad", "md-button");
    path.href = box.getAttribute("data-paden") + (data.leerpad ? encodeURIComponent(data.leerpad) + "/" : "");
    if (data.leerpad && titles.paden[data.leerpad]) path.title = titles.paden[data.leerpad];
    p.appendChild(path);
    return p;
  }

  function label(text) {
    var p = el("p", null, "leerpad-label");
    p.appendChild(el("strong", text));
    return p;
  }

  function answerBlock(item, section) {
    var p = label("Jouw antwoord: ");
    section.appendChild(p);
    if (!item.antwoord.length) {
      p.appendChild(el("span", "je gaf geen antwoord.", "leerpad-geen-antwoord"));
    } else if (item.code) {
      var pre = el("pre", null, "leerpad-jouw-code");
      pre.appendChild(el("code", item.antwoord.join("\n")));
      section.appendChild(pre);
    } else if (item.antwoord.length === 1) {
      p.appendChild(el("span", item.antwoord[0], "leerpad-jouw-antwoord"));
    } else {
      var list = el(item.soort === "volgorde" ? "ol" : "ul", null, "leerpad-jouw-antwoord");
      item.antwoord.forEach(function (line) { list.appendChild(el("li", line)); });
      section.appendChild(list);
    }
  }

  function exerciseSection(item, n) {
    var section = el("section", null, "leerpad-oefening leerpad-feedback-oefening");
    section.setAttribute("data-oefening", item.id);
    section.id = "oefening-" + n;
    section.appendChild(el("h2", "Oefening " + n + " (" + item.soort + ")"));
    item.titel.split("\n").forEach(function (line) {
      section.appendChild(el("p", line, "leerpad-vraag"));
    });
    answerBlock(item, section);
    var points = label("Punten: ");
    points.appendChild(document.createTextNode(item.punten === null ? "nog niet beoordeeld" :
      number(item.punten) + " van " + number(item.max) +
      (item.door_trainer ? " (beoordeeld door je trainer)" : "")));
    section.appendChild(points);
    if (item.oordeel || item.feedback.length) {
      var said = label("Feedback: ");
      if (item.oordeel) said.appendChild(el("span", item.oordeel, "leerpad-oordeel"));
      section.appendChild(said);
      item.feedback.forEach(function (line) { section.appendChild(el("p", line)); });
    }
    if (item.trainer) {
      section.appendChild(label("Commentaar van je trainer:"));
      var quote = el("blockquote", null, "leerpad-trainercommentaar");
      item.trainer.split("\n\n").forEach(function (line) { quote.appendChild(el("p", line)); });
      section.appendChild(quote);
    }
    return section;
  }

  function short(text) {
    var line = text.split("\n")[0];
    return line.length > 70 ? line.slice(0, 67) + "…" : line;
  }

  /* One row per exercise: what it was, the points, the verdict; a link to its block. */
  function overview(items) {
    /* wrapped as Material wraps a Markdown table: it scrolls sideways on a narrow screen */
    var wrap = el("div", null, "md-typeset__scrollwrap leerpad-overzicht");
    var table = wrap.appendChild(el("div", null, "md-typeset__table")).appendChild(el("table"));
    var head = el("tr");
    ["Oefening", "Punten", "Feedback"].forEach(function (h) {
      var th = el("th", h);
      th.scope = "col";
      head.appendChild(th);
    });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    items.forEach(function (item, i) {
      var row = el("tr");
      var link = el("a", (i + 1) + ". " + short(item.titel));
      link.href = "#oefening-" + (i + 1);
      row.appendChild(el("td")).appendChild(link);
      row.appendChild(el("td", item.punten === null ? "—" : number(item.punten) + " van " + number(item.max)));
      row.appendChild(el("td", item.wacht_op_trainer ? "wacht op je trainer" :
        item.trainer || item.door_trainer ? "beoordeeld door je trainer" :
        item.oordeel || (item.antwoord.length ? "" : "geen antwoord")));
      body.appendChild(row);
    });
    return wrap;
  }

  function showFeedback(box, data, titles) {
    box.textContent = "";
    var title = titles.modules[data.module] || data.module;
    var intro = el("p", null, "leerpad-feedback-module");
    intro.appendChild(document.createTextNode("Module: "));
    intro.appendChild(el("strong", title));
    intro.appendChild(document.createTextNode(" · cursist " + data.cursist +
      (data.ingeleverd ? " · ingeleverd op " + data.ingeleverd : "")));
    box.appendChild(intro);
    box.appendChild(backLinks(box, data, titles));
    var total = el("p", null, "leerpad-totaal");
    total.appendChild(el("strong", "Je score: " + number(data.score) + " van " + number(data.max) + " punten"));
    box.appendChild(total);
    var bar = document.createElement("progress");
    bar.max = data.max || 1;
    bar.value = data.score;
    bar.setAttribute("aria-label", "Je score");
    box.appendChild(bar);
    if (data.wacht_op_trainer) {
      box.appendChild(note("info", "Nog niet alles is beoordeeld",
        "Je trainer moet nog een antwoord nakijken. Je score kan dan nog veranderen."));
    }
    if (data.te_laat) {
      box.appendChild(note("warning", "Te laat ingeleverd",
        "Je leverde in na de deadline" + (data.deadline ? " (" + data.deadline + ")" : "") +
        ". Je trainer ziet dat."));
    }
    if (data.opmerkingen.length) {
      box.appendChild(el("h2", "Opmerkingen bij het verbeteren"));
      var list = el("ul");
      data.opmerkingen.forEach(function (line) { list.appendChild(el("li", line)); });
      box.appendChild(list);
    }
    box.appendChild(el("h2", "Overzicht"));
    box.appendChild(overview(data.oefeningen));
    data.oefeningen.forEach(function (item, i) { box.appendChild(exerciseSection(item, i + 1)); });
    box.appendChild(backLinks(box, data, titles));
  }

  function initFeedback() {
    var box = document.getElementById("leerpad-feedback");
    var source = document.getElementById("leerpad-feedback-data");
    if (!box || !source) return;
    var titles = JSON.parse(source.textContent);
    var params = new URLSearchParams(window.location.search);
    var module = params.get("module") || "";
    var who = feedbackLearner(params);
    function say(text) { box.textContent = ""; box.appendChild(el("p", text)); }
    if (!module) return say("Kies eerst een module: open deze pagina via Bekijk feedback in de app of op je leerpad.");
    if (!who) return say("Open je feedback via de knop Bekijk feedback in de app, of via de persoonlijke link van je trainer.");
    if (!window.fetch) return say("Deze browser kan je feedback niet ophalen.");
    fetch("/api/feedback?" + linkQuery(who) + "&module=" + encodeURIComponent(module), { cache: "no-store" })
      .then(function (r) {
        if (r.ok) return r.json().then(function (data) { showFeedback(box, data, titles); });
        return r.text().then(function (text) { say(text); });
      })
      .catch(function () { say("De server van je bootcamp antwoordt niet. Probeer later opnieuw."); });
  }

  /* -- catalogue filter -------------------------------------------------------- */
  function initFilter() {
    var form = document.getElementById("leerpad-filter");
    if (!form) return;
    var rows = Array.prototype.map.call(
      document.querySelectorAll(".leerpad-rij"),
      function (span) { return { tr: span.closest("tr"), data: span.dataset }; }
    );
    var count = form.querySelector(".leerpad-filter-count");

    function has(list, value) {
      return (list || "").split(" ").indexOf(value) !== -1;
    }

    function apply() {
      var f = {
        audience: form.elements.audience.value,
        course: form.elements.course.value,
        duration: form.elements.duration.value,
        competence: form.elements.competence.value,
        eindterm: form.elements.eindterm.value
      };
      var shown = 0;
      rows.forEach(function (row) {
        var d = row.data;
        var minutes = parseInt(d.duration, 10);
        var ok = (!f.audience || has(d.audience, f.audience)) &&
          (!f.course || d.course === f.course) &&
          (!f.competence || has(d.competence, f.competence)) &&
          (!f.eindterm || has(d.eindterm, f.eindterm)) &&
          (!f.duration || (f.duration === "91" ? minutes > 90 : minutes <= parseInt(f.duration, 10)));
        if (row.tr) row.tr.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = shown + " van " + rows.length + " modules getoond.";
    }

    form.hidden = false;
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    apply();
  }

  /* -- self-scan ---------------------------------------------------------------- */
  function svg(name, attrs, text) {
    var el = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text) el.textContent = text;
    return el;
  }

  function radar(areas, scores) {
    /* The labels stand outside the rings: the view box leaves 150 units on either side. */
    var cx = 210, cy = 170, r = 115, n = areas.length;
    function point(i, value) {
      var angle = -Math.PI / 2 + (2 * Math.PI * i) / n;
      return [cx + Math.cos(angle) * r * value / 5, cy + Math.sin(angle) * r * value / 5];
    }
    var chart = svg("svg", {
      viewBox: "-150 0 720 340", role: "img", "aria-labelledby": "radar-titel radar-uitleg",
      "class": "leerpad-radar"
    });
    chart.appendChild(svg("title", { id: "radar-titel" }, "Radardiagram van je zelfscan"));
    chart.appendChild(svg("desc", { id: "radar-uitleg" }, areas.map(function (a) {
      return a.name + ": " + scores[a.id].toFixed(1).replace(".", ",") + " op 5";
    }).join("; ")));
    for (var ring = 1; ring <= 5; ring++) {
      var pts = areas.map(function (a, i) { return point(i, ring).join(","); }).join(" ");
      chart.appendChild(svg("polygon", { points: pts, "class": "leerpad-radar-ring" }));
    }
    areas.forEach(function (a, i) {
      var end = point(i, 5), label = point(i, 6.1);
      chart.appendChild(svg("line", { x1: cx, y1: cy, x2: end[0], y2: end[1], "class": "leerpad-radar-as" }));
      var anchor = Math.abs(label[0] - cx) < 5 ? "middle" : (label[0] > cx ? "start" : "end");
      chart.appendChild(svg("text", { x: label[0], y: label[1] + 4, "text-anchor": anchor },
        a.id + ". " + a.short));
    });
    var shape = areas.map(function (a, i) { return point(i, scores[a.id]).join(","); }).join(" ");
    chart.appendChild(svg("polygon", { points: shape, "class": "leerpad-radar-score" }));
    return chart;
  }

  function linkFor(attrName, id) {
    var a = document.querySelector("#leerpad-zelfscan-links a[" + attrName + '="' + id + '"]');
    return a ? a.getAttribute("href") : null;
  }

  function recommend(data, scores, audience) {
    var weakest = data.areas.slice().sort(function (a, b) {
      return scores[a.id] - scores[b.id];
    })[0];
    var best = null, bestScore = -1;
    data.paths.forEach(function (p) {
      var score = 0;
      p.modules.forEach(function (m) {
        if (m.areas.indexOf(weakest.id) !== -1) score += m.planned ? 0.5 : 1; // ready counts more
      });
      if (p.audience.indexOf(audience) !== -1) score += 2;
      if (score > bestScore) { best = p; bestScore = score; }
    });
    // The module to start with trains the weakest area: an open one on the path first, then
    // one elsewhere in the catalogue; none when no released module trains that area yet.
    function trains(m) { return !m.planned && m.areas.indexOf(weakest.id) !== -1; }
    function notDone(m) { return !isDone(m.id); }
    var onPath = best ? best.modules.filter(trains) : [];
    var elsewhere = (data.modules || []).filter(trains);
    var start = onPath.filter(notDone)[0] || elsewhere.filter(notDone)[0] || onPath[0] ||
      elsewhere[0] || null;
    var startOnPath = !!start && onPath.indexOf(start) !== -1;
    return { weakest: weakest, path: best, start: start, startOnPath: startOnPath };
  }

  function showResult(data, answers) {
    var out = document.getElementById("leerpad-zelfscan-resultaat");
    var sums = {}, counts = {};
    data.areas.forEach(function (a) { sums[a.id] = 0; counts[a.id] = 0; });
    data.statements.forEach(function (s, i) {
      var value = parseInt(answers["s" + (i + 1)], 10);
      if (value) { sums[s.area] += value; counts[s.area] += 1; }
    });
    var scores = {};
    data.areas.forEach(function (a) { scores[a.id] = counts[a.id] ? sums[a.id] / counts[a.id] : 0; });
    var advice = recommend(data, scores, answers.doelgroep);

    out.textContent = "";
    var h = document.createElement("h2");
    h.textContent = "Je resultaat";
    out.appendChild(h);
    out.appendChild(radar(data.areas, scores));

    var list = document.createElement("ul");
    data.areas.forEach(function (a) {
      var li = document.createElement("li");
      li.textContent = a.id + ". " + a.name + ": " + scores[a.id].toFixed(1).replace(".", ",") + " op 5";
      list.appendChild(li);
    });
    out.appendChild(list);

    var p = document.createElement("p");
    p.appendChild(document.createTextNode(
      "Je laagste score is " + advice.weakest.id + ". " + advice.weakest.name + ". "));
    function moduleLink(m) {
      var a = document.createElement("a");
      a.href = linkFor("data-module", m.id) || "#";
      a.textContent = m.title;
      return a;
    }
    if (advice.path) {
      p.appendChild(document.createTextNode("Ons voorstel: het leerpad "));
      var pathLink = document.createElement("a");
      pathLink.href = linkFor("data-pad", advice.path.id) || "#";
      pathLink.textContent = advice.path.title;
      p.appendChild(pathLink);
      if (advice.start && advice.startOnPath) {
        p.appendChild(document.createTextNode(", te beginnen met de module "));
        p.appendChild(moduleLink(advice.start));
      }
      p.appendChild(document.createTextNode("."));
    } else {
      p.appendChild(document.createTextNode("Er zijn nog geen leerpaden; kijk in de catalogus."));
    }
    out.appendChild(p);
    var next = document.createElement("p");
    next.className = "leerpad-zelfscan-module";
    if (!advice.start) {
      next.textContent = "Er is nog geen module die " + advice.weakest.id + ". " +
        advice.weakest.name + " traint; die komt er nog.";
    } else if (!advice.startOnPath) {
      next.appendChild(document.createTextNode(
        "Een module die " + advice.weakest.id + ". " + advice.weakest.name + " traint: "));
      next.appendChild(moduleLink(advice.start));
      next.appendChild(document.createTextNode("."));
    }
    if (next.childNodes.length) out.appendChild(next);
    out.hidden = false;
  }

  function initScan() {
    var form = document.getElementById("leerpad-zelfscan");
    var source = document.getElementById("leerpad-zelfscan-data");
    if (!form || !source) return;
    var data = JSON.parse(source.textContent);

    function answers() {
      var result = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name) return;
        if (el.type === "radio") { if (el.checked) result[el.name] = el.value; }
        else result[el.name] = el.value;
      });
      return result;
    }

    var saved = load(SCAN_KEY, null);
    if (saved && typeof saved === "object") {
      Object.keys(saved).forEach(function (name) {
        var field = form.elements[name];
        if (!field) return;
        if (field.length !== undefined && field.tagName !== "SELECT") {
          Array.prototype.forEach.call(field, function (r) { r.checked = r.value === saved[name]; });
        } else {
          field.value = saved[name];
        }
      });
      if (form.checkValidity()) showResult(data, saved);
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var a = answers();
      save(SCAN_KEY, a);
      showResult(data, a);
      document.getElementById("leerpad-zelfscan-resultaat").scrollIntoView({ behavior: "smooth" });
    });
    document.getElementById("zelfscan-wissen").addEventListener("click", function () {
      try { window.localStorage.removeItem(SCAN_KEY); } catch (e) { /* nothing kept */ }
      form.reset();
      var out = document.getElementById("leerpad-zelfscan-resultaat");
      out.hidden = true;
      out.textContent = "";
    });
  }

  /* -- print: the address of every link in the text, for trainers who work on paper -- */
  function initPrintUrls() {
    document.querySelectorAll(".md-content .md-typeset a[href]").forEach(function (a) {
      var href = a.getAttribute("href");
      if (!href || href.charAt(0) === "#" || a.classList.contains("headerlink") ||
          a.classList.contains("md-button") || a.textContent.trim() === a.href) return;
      a.setAttribute("data-print-url", a.href);
    });
  }

  function init() {
    initFeedback(); // first: it takes the learner's link out of the address bar
    initPrintUrls();
    initDoneButtons();
    var who = knownLearner();
    initAppLinks(who);
    initProgress(who);
    initFilter();
    initScan();
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init); // Material's page-load event (also with instant loading)
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
