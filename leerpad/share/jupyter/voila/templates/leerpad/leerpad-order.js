// A check right after typing grades the typed value.
//
// ipywidgets holds back a widget's new value while an earlier update of that widget is still
// being handled by the kernel (it sends the latest value once the kernel is idle again), but
// it sends a button's click (and a text field's Enter) at once. So "Controleer" could reach
// the kernel before the value typed just before it. Here, on the page's kernel websocket,
// clicks and Enter wait until every value update sent before them has been handled and the
// values held back meanwhile have gone out too. Only order changes; nothing is dropped.
(function () {
  "use strict";
  var MAX_WAIT_MS = 10000; // a kernel that never answers must not swallow a click
  var send = WebSocket.prototype.send;
  var decoder = new TextDecoder();

  function bytes(data) {
    if (data instanceof ArrayBuffer) return data;
    if (ArrayBuffer.isView(data)) {
      return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    }
    return null;
  }

  // {header, parent, content} of a kernel message: the JSON protocol, or the binary
  // "v1.kernel.websocket.jupyter.org" one (offsets, channel, header, parent, metadata,
  // content, buffers).
  function parse(data) {
    try {
      if (typeof data === "string") {
        var msg = JSON.parse(data);
        return { header: msg.header, parent: msg.parent_header, content: msg.content };
      }
      var buffer = bytes(data);
      if (!buffer) return null;
      var view = new DataView(buffer);
      var count = Number(view.getBigUint64(0, true));
      var offsets = [];
      for (var i = 1; i <= count; i++) offsets.push(Number(view.getBigUint64(8 * i, true)));
      var part = function (n) {
        return JSON.parse(decoder.decode(new Uint8Array(buffer, offsets[n], offsets[n + 1] - offsets[n])));
      };
      return { header: part(1), parent: part(2), content: part(4) };
    } catch (error) {
      return null;
    }
  }

  function watch(socket) {
    socket.leerpad = { pending: new Set(), held: [], since: 0 };
    socket.addEventListener("message", function (event) {
      var msg = parse(event.data);
      if (!msg || !msg.header || msg.header.msg_type !== "status") return;
      if (msg.content && msg.content.execution_state === "idle" && msg.parent) {
        socket.leerpad.pending.delete(msg.parent.msg_id);
        // Let ipywidgets send what it held back on this idle first, then look again.
        setTimeout(function () { release(socket); }, 30);
      }
    });
  }

  function release(socket) {
    var state = socket.leerpad;
    var waited = Date.now() - state.since;
    while (state.held.length && (state.pending.size === 0 || waited > MAX_WAIT_MS)) {
      if (socket.readyState === WebSocket.OPEN) send.call(socket, state.held.shift());
      else state.held.shift();
    }
    if (state.held.length) setTimeout(function () { release(socket); }, 200);
  }

  WebSocket.prototype.send = function (data) {
    if (!/\/api\/kernels\/[^/]+\/channels/.test(this.url)) return send.call(this, data);
    if (!this.leerpad) watch(this);
    var state = this.leerpad;
    var msg = parse(data);
    var body = msg && msg.header && msg.header.msg_type === "comm_msg" && msg.content && msg.content.data;
    if (body && body.method === "update") {
      state.pending.add(msg.header.msg_id);
    } else if (body && body.method === "custom" && (state.pending.size || state.held.length)) {
      if (!state.held.length) state.since = Date.now();
      state.held.push(data);
      return undefined;
    }
    if (state.held.length && !(body && body.method === "update")) {
      state.held.push(data); // keep the order of everything after a held click
      return undefined;
    }
    return send.call(this, data);
  };
})();
