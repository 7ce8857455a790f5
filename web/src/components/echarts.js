// The parts of ECharts the pages use, and only those (bars, lines, a grid,
// tooltip, legend, the canvas renderer): the bundle carries no more of the
// library. No aria component: EChart.vue labels each chart itself and the
// pages show the same figures in tables.
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export { echarts };
