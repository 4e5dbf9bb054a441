-- depth_report.lua: the HTML report of lua/experiments/depth.lua — the He / Xavier / LSUV story side by
-- side: how the signal propagates through the layers at initialization, what that does to training,
-- and the per-layer histograms and gradient norms that show it (in the manner of Glorot & Bengio 2010).
local il = require "initlab"
local plots = require "initlab.plots"

local depth_report = {}

-- write(dir, runs, opts) -> path of index.html. `runs` are depth.lua's runs (with snapshots).
function depth_report.write(dir, runs, opts)
  local svg = il.svg
  local hidden = opts.depth
  local page = il.report.new{ title = "Depth: why the scale of the initial weights matters",
    subtitle = ("%d hidden ReLU layers of %d units on the lesson's circles, %d steps of gradient descent at learning rate %s")
      :format(hidden, opts.width, opts.iterations, il.fmt.float(opts.lr)) }

  page:paragraph("A ReLU zeroes half of its input, so every layer multiplies the variance of the signal by " ..
    "`fan_in * Var(W) / 2`. With Xavier's `Var(W) = 1 / fan_in` the signal halves at every layer and, " ..
    "30 layers down, is gone; He et al. (2015) doubled the variance to `2 / fan_in` and keep it constant. " ..
    "LSUV (Mishkin & Matas, 2015) measures instead: it rescales each layer until its pre-activations " ..
    "have unit variance on the data.")

  local rows = {}
  for _, r in ipairs(runs) do
    rows[#rows + 1] = { r.init, ("%.3g"):format(r.init_std[1]), ("%.3g"):format(r.init_std[hidden]),
      ("%.4f"):format(r.final_cost), il.fmt.percent(r.train_accuracy) }
  end
  page:table{ headers = { "initialization", "std(Z) layer 1", ("std(Z) layer %d"):format(hidden), "final cost",
    "train accuracy" }, rows = rows }

  page:heading("Signal propagation at initialization")
  local std_series, cost_series = {}, {}
  for _, r in ipairs(runs) do
    std_series[#std_series + 1] = { name = r.init, stds = r.init_std }
    cost_series[#cost_series + 1] = { name = r.init, x = r.iterations, y = r.costs }
  end
  page:figure("signal", plots.signal(std_series),
    "Each layer's pre-activation std over the training set before any training (the output layer last).")

  page:heading("Training")
  page:figure("costs", svg.line_chart{ title = "Cost", xlabel = "iteration", ylabel = "cost", series = cost_series },
    ("The cost every %d steps. A cost stuck at ln 2 = 0.693 means the output is 0.5 for every example."):format(opts.print_every))

  local layers = plots.spread_layers(hidden, 5)
  for _, r in ipairs(runs) do
    page:heading(("%s: per-layer statistics"):format(r.init), 3)
    for _, f in ipairs(plots.layer_figures(r.init, r.diagnostics, r.snapshots, layers, true)) do
      page:figure(f[1], f[2], f[3])
    end
  end
  return page:write(dir)
end

return depth_report
