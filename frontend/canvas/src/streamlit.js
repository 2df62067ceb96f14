// The Streamlit custom-component protocol (what streamlit-component-lib's `Streamlit` object does),
// written out so the bundle needs neither React nor Apache Arrow: messages to and from window.parent.

function send(type, data) {
  window.parent.postMessage({ isStreamlitMessage: true, type, ...data }, "*");
}

export const Streamlit = {
  setComponentReady() {
    send("streamlit:componentReady", { apiVersion: 1 });
  },
  setFrameHeight(height) {
    send("streamlit:setFrameHeight", { height });
  },
  setComponentValue(value) {
    send("streamlit:setComponentValue", { value, dataType: "json" });
  },
  // `handler(args)` runs on every render message (each Python rerun that reaches the component).
  onRender(handler) {
    window.addEventListener("message", (event) => {
      if (event.data && event.data.type === "streamlit:render") handler(event.data.args || {});
    });
  },
};
