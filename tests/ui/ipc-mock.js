// Injected before the UI loads: a stand-in for Tauri's IPC bridge. Commands answer from
// window.__PF__ (set per test), and events can be emitted into the page's listeners. This mirrors
// what @tauri-apps/api calls: __TAURI_INTERNALS__.invoke/transformCallback and the event plugin.
(() => {
  let next = 0;
  const callbacks = new Map();
  const listeners = [];
  window.__PF__ = { calls: [], handlers: {} };
  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = { unregisterListener() {} };
  window.__TAURI_INTERNALS__ = {
    metadata: { currentWindow: { label: "main" }, currentWebview: { label: "main", windowLabel: "main" } },
    transformCallback(cb) {
      const id = ++next;
      callbacks.set(id, cb);
      return id;
    },
    unregisterCallback(id) {
      callbacks.delete(id);
    },
    convertFileSrc: (s) => s,
    async invoke(cmd, args) {
      window.__PF__.calls.push({ cmd, args });
      if (cmd === "plugin:event|listen") {
        listeners.push({ event: args.event, handler: args.handler });
        return listeners.length;
      }
      if (cmd === "plugin:event|unlisten") return null;
      const h = window.__PF__.handlers[cmd];
      if (!h) throw { code: "internal", message: `no mock for ${cmd}` };
      return h(args);
    },
  };
  window.__PF__.emit = (event, payload) => {
    for (const l of listeners.filter((l) => l.event === event)) callbacks.get(l.handler)?.({ event, id: 0, payload });
  };
})();
