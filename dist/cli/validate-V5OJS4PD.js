import{a}from"./chunk-DVDOBRMJ.js";import"./chunk-JVMKFSYG.js";import"./chunk-EMACHSLD.js";import"./chunk-GRRM3B55.js";import"./chunk-NPYSNLY4.js";export{a as validateConfig};
