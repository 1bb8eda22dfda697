// Scrolling for the log view: lines have a fixed height, so line N sits at N * height.
window.farmLog = {
  scrollToLine(viewport, index, lineHeight) {
    if (!viewport) return;
    viewport.scrollTop = Math.max(0, index * lineHeight - viewport.clientHeight / 3);
  },
  scrollToEnd(viewport) {
    if (!viewport) return;
    viewport.scrollTop = viewport.scrollHeight;
  },
};
