// The print button of the enrolment list (a file: the Content-Security-Policy forbids inline script).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelector("[data-enrol-print]")?.addEventListener("click", () => window.print());
});
