// The learner app's front-end. Voilà's own front-end starts a JupyterLab application (its
// plugins, federated extensions, a rendermime registry, a theme manager) to show a page whose
// outputs are only widgets; on a pupil's laptop that is most of the time to a usable exercise.
// This bundle does the same job with the parts it needs: a kernel connection
// (@jupyterlab/services), a widget manager (@jupyter-widgets/base-manager) that knows the
// ipywidgets controls and anywidget, and the views put in place of the page's outputs.
import "./anywidget-factory.js"; // before anywidget: catches its AMD definition
import "anywidget";
import "@jupyter-widgets/base/css/index.css";
// widgets-base, not widgets.css: its labvariables.css would override the page theme's colours
// (a paler green under white text on "Inleveren")
import "@jupyter-widgets/controls/css/widgets-base.css";
import "@lumino/widgets/style/widget.css";
import "./app.css";

import * as base from "@jupyter-widgets/base";
import { ManagerBase } from "@jupyter-widgets/base-manager";
import * as controls from "@jupyter-widgets/controls";
import { KernelConnection } from "@jupyterlab/services/lib/kernel/default";
import { CommsOverSubshells, ServerConnection } from "@jupyterlab/services";
import { Widget } from "@lumino/widgets";

import { anywidgetModule } from "./anywidget-factory.js";

const WIDGET_VIEW = "application/vnd.jupyter.widget-view+json";
const OUTPUT = 'script[type="application/vnd.voila.cell-output+json"]';

function mark(name) {
  performance.mark(`leerpad:${name}`);
}

class AppWidgetManager extends ManagerBase {
  constructor(kernel) {
    super();
    this.kernel = kernel;
    this.modules = {
      "@jupyter-widgets/base": base,
      "@jupyter-widgets/controls": controls,
      anywidget: anywidgetModule(base),
    };
    kernel.registerCommTarget(this.comm_target_name, (comm, message) => {
      this.handle_comm_open(new base.shims.services.Comm(comm), message);
    });
  }

  loadClass(className, moduleName) {
    const module = this.modules[moduleName];
    if (module && module[className]) return Promise.resolve(module[className]);
    return Promise.reject(new Error(`${moduleName}.${className}: niet in deze app`));
  }

  async _create_comm(targetName, modelId, data, metadata, buffers) {
    const comm = this.kernel.createComm(targetName, modelId);
    if (data || metadata) comm.open(data, metadata, buffers);
    return new base.shims.services.Comm(comm);
  }

  async _get_comm_info() {
    const reply = await this.kernel.requestCommInfo({ target_name: this.comm_target_name });
    return reply.content.status === "ok" ? reply.content.comms : {};
  }

  load() {
    return this._loadFromKernel();
  }
}

function pageConfig() {
  return JSON.parse(document.getElementById("jupyter-config-data").textContent);
}

function connect(config) {
  const serverSettings = ServerConnection.makeSettings({ baseUrl: config.baseUrl });
  // The page names its kernel: no request for the kernel's model before the websocket.
  const kernel = new KernelConnection({
    model: { id: config.kernelId, name: "python3" },
    serverSettings,
    handleComms: true,
  });
  // Comms on the kernel's main shell: a subshell per comm target costs a round trip first.
  kernel.commsOverSubshells = CommsOverSubshells.Disabled;
  // A closed page gives its kernel back at once (as Voilà's front-end does).
  window.addEventListener("pagehide", () => {
    const form = new FormData();
    const xsrf = document.cookie.match("\\b_xsrf=([^;]*)\\b");
    form.append("_xsrf", (xsrf && xsrf[1]) || "");
    navigator.sendBeacon(`${config.baseUrl}voila/api/shutdown/${kernel.id}`, form);
    kernel.dispose();
  });
  return kernel;
}

// Each cell output becomes its widget's view; any other output (text, HTML from the module's
// own notebook) is shown as the notebook would show it.
async function renderOutput(manager, script) {
  const output = JSON.parse(script.textContent);
  const data = output.data || {};
  const container = script.parentElement;
  if (data[WIDGET_VIEW]) {
    const model = await manager.get_model(data[WIDGET_VIEW].model_id);
    const view = await manager.create_view(model);
    const widget = view.luminoWidget;
    widget.addClass("jp-OutputArea-output");
    script.remove();
    Widget.attach(widget, container);
    return;
  }
  const node = document.createElement("div");
  node.className = "jp-OutputArea-output";
  if (data["text/html"]) node.innerHTML = [].concat(data["text/html"]).join("");
  else if (data["text/plain"] || output.text) {
    const pre = document.createElement("pre");
    pre.textContent = [].concat(data["text/plain"] || output.text).join("");
    node.appendChild(pre);
  }
  script.replaceWith(node);
}

function showCells() {
  window.themeLoaded = true; // Voilà's page script waits for this to show the cells
  if (window.display_cells) window.display_cells();
}

// Without its kernel a page shows its text but no exercises: say so, and what to do.
const LOST = "De oefeningen laden niet: de verbinding met de server is weg. Herlaad de pagina.";
const CONNECT_WAIT_MS = 20000;

function notice(text) {
  if (document.getElementById("leerpad-lost")) return;
  const banner = document.createElement("p");
  banner.id = "leerpad-lost";
  banner.className = "leerpad-feedback leerpad-wrong";
  banner.setAttribute("role", "alert");
  banner.textContent = text;
  (document.getElementById("rendered_cells") || document.body).prepend(banner);
}

function watchConnection(kernel, config) {
  const waiting = setTimeout(() => notice(LOST), CONNECT_WAIT_MS);
  kernel.info.then(() => clearTimeout(waiting));
  // "dead": the server says the kernel is gone; "disconnected": reconnecting gave up
  kernel.statusChanged.connect((_, status) => status === "dead" && notice(LOST));
  kernel.connectionStatusChanged.connect(async (_, status) => {
    if (status === "disconnected") notice(LOST);
    // A lost connection is tried again for minutes; a kernel the server no longer knows
    // will not come back.
    if (status === "connecting" && (await kernelGone(config))) notice(LOST);
  });
}

async function kernelGone(config) {
  try {
    const reply = await fetch(`${config.baseUrl}api/kernels/${config.kernelId}`, {
      cache: "no-store",
    });
    return reply.status === 404;
  } catch {
    return false; // the server is unreachable: the connection tries again
  }
}

async function main() {
  mark("start");
  // The text is there already: the learner reads while the widgets come.
  showCells();
  const config = pageConfig();
  const kernel = connect(config);
  watchConnection(kernel, config);
  const manager = new AppWidgetManager(kernel);
  window.leerpadApp = { kernel, manager };
  await kernel.info;
  mark("connected");
  await manager.load();
  mark("states");
  const results = await Promise.allSettled(
    [...document.querySelectorAll(OUTPUT)].map((script) => renderOutput(manager, script)),
  );
  for (const result of results) {
    if (result.status === "rejected") console.error(result.reason);
  }
  mark("shown");
}

main().catch((error) => {
  console.error(error);
  notice(LOST);
});
