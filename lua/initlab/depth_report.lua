-- depth_report.lua: the HTML report of lua/experiments/depth.lua — the He / Xavier / LSUV story side by
-- side: how the signal propagates through the layers at initialization, what that does to training,
-- and the per-layer histograms and gradient norms that show it (in the manner of Glorot & Bengio 2010).
local il = require "initlab"

local depth_report = {}

-- About `count` layer numbers spread from the first to the last hidden layer.
local function chosen_layers(hidden, count)
  local layers, seen = {}, {}
  for k = 0, count - 1 do
    local l = math.floor(1 + k * (hidden - 1) / math.max(count - 1, 1) + 0.5)
    if not seen[l] then seen[l] = true; layers[#layers + 1] = l end
  end
  return layers
end

local function layer_numbers(n)
  local x = {}
  for l = 1, n do x[l] = l end
  return x
end

-- Histograms of one quantity ("activations" or "gradients") of chosen layers, from a snapshot.
local function histogram(snapshot, what, layers, title)
  local series = {}
  for _, l in ipairs(layers) do
    series[#series + 1] = { name = "layer " .. l, values = snapshot[l][what] }
  end
  return il.svg.histogram{ title = title, series = series, bins = 40, logy = true,
    xlabel = what == "activations" and "activation value" or "gradient with respect to the layer input",
    ylabel = "count" }
end

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
    std_series[#std_series + 1] = { name = r.init, x = layer_numbers(#r.init_std), y = r.init_std }
    cost_series[#cost_series + 1] = { name = r.init, x = r.iterations, y = r.costs }
  end
  page:figure("signal", svg.line_chart{ title = "std of the pre-activation Z per layer, at step 0", xlabel = "layer",
    ylabel = "std(Z)", logy = true, series = std_series },
    "Each layer's pre-activation std over the training set before any training (the output layer last).")

  page:heading("Training")
  page:figure("costs", svg.line_chart{ title = "Cost", xlabel = "iteration", ylabel = "cost", series = cost_series },
    ("The cost every %d steps. A cost stuck at ln 2 = 0.693 means the output is 0.5 for every example."):format(opts.print_every))

  local layers = chosen_layers(hidden, 5)
  for _, r in ipairs(runs) do
    page:heading(("%s: per-layer statistics"):format(r.init), 3)
    local norm_series = {}
    for _, l in ipairs(layers) do
      local steps, norms = {}, {}
      for _, d in ipairs(r.diagnostics) do
        steps[#steps + 1] = d.step
        norms[#norms + 1] = d.layers[l].grad_W_norm
      end
      norm_series[#norm_series + 1] = { name = "layer " .. l, x = steps, y = norms }
    end
    page:figure("grad_norms_" .. r.init, svg.line_chart{ title = r.init .. ": gradient norm |dW| per layer",
      xlabel = "iteration", ylabel = "|dW|", logy = true, series = norm_series },
      "How much signal reaches each layer's weights during training.")
    if r.snapshots and r.snapshots.first then
      page:figure("activations_" .. r.init, histogram(r.snapshots.first, "activations", layers,
        r.init .. ": activations at initialization"), "Activation values per layer at step 0 (log counts).")
      page:figure("gradients_" .. r.init, histogram(r.snapshots.first, "gradients", layers,
        r.init .. ": back-propagated gradients at initialization"), "Gradients reaching each layer's input at step 0.")
      page:figure("activations_end_" .. r.init, histogram(r.snapshots.last, "activations", layers,
        r.init .. ": activations after training"), "Activation values per layer at the last step.")
    end
  end
  return page:write(dir)
end

return depth_report
