// Clicking a legend entry hides or shows that series in its figure.
document.querySelectorAll("ul.legend li[data-series]").forEach(function (li) {
  li.addEventListener("click", function () {
    var fig = li.closest("figure");
    var off = li.classList.toggle("off");
    fig.querySelectorAll('[data-series="' + li.dataset.series + '"]').forEach(function (el) {
      if (el !== li) el.style.display = off ? "none" : "";
    });
  });
});
document.documentElement.dataset.ready = "1";
